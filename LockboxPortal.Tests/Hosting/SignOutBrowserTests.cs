using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Hosting;

[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class SignOutBrowserTests(BrowserFixture browser)
{
    /// <summary>The layout's sign-out button carries the page's antiforgery token, so the check on the endpoint lets it through.</summary>
    [Fact]
    public async Task TheSignOutButton_EndsTheSession()
    {
        await using var portal = new LivePortal(browser.Browser);
        var page = await portal.SignInAsync("engineer@fabrikam.test");
        await page.GotoAsync("/requests/mine");
        await LivePortal.WaitForInteractiveAsync(page);

        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign out" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        await page.GotoAsync("/requests/mine");
        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
    }
}
