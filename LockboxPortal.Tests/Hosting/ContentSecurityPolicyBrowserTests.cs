using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// The portal's own pages keep to its content security policy: the browser blocks nothing of theirs (an inline
/// script, a fetch to another origin), so the policy can stay strict without breaking a page.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class ContentSecurityPolicyBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task SignInAndTheMainPages_CauseNoContentSecurityPolicyViolation()
    {
        await using var portal = new LivePortal(browser.Browser);
        var page = await portal.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add($"{page.Url}: {message.Text}");
            }
        };

        await LivePortal.SignInAsync(page, "approver@northwind.test");
        foreach (var path in new[] { "/queue/approvals", "/grants/active", "/audit", "/profile" })
        {
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }

        Assert.Empty(violations);
    }
}
