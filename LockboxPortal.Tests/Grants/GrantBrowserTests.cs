using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Grants;

[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class GrantBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Revoke_ByTheTenantsOfficer_ShowsTheGrantEndOnTheEngineersOpenPage_WithoutReload()
    {
        await using var portal = new LivePortal(browser.Browser);

        // The engineer opens their active grant (the demo data's Northwind database grant) from "My grants".
        var engineer = await portal.SignInAsync("engineer@fabrikam.test");
        await engineer.GotoAsync("/grants/mine");
        await LivePortal.WaitForInteractiveAsync(engineer);
        var mine = engineer.Locator("tr").Filter(new LocatorFilterOptions { HasText = "Sql:database/orders" });
        var reference = (await mine.Locator("[data-testid=reference]").InnerTextAsync()).Trim();
        await mine.Locator("[data-testid=reference] a").ClickAsync();
        await Assertions.Expect(engineer.Locator("[data-testid=reference]")).ToHaveTextAsync(reference);
        await Assertions.Expect(engineer.Locator("[data-testid=status]")).ToHaveTextAsync("Approved");
        await Assertions.Expect(engineer.Locator("[data-testid=grant-state]")).ToContainTextAsync("left");

        // A marker that a reload would wipe out.
        await engineer.EvaluateAsync("window.__lockboxNoReload = true");

        // Northwind's security officer revokes it from the active grants page.
        var officer = await portal.SignInAsync("officer@northwind.test");
        await officer.GotoAsync("/grants/active");
        await LivePortal.WaitForInteractiveAsync(officer);
        var row = officer.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference });
        await row.Locator("[data-testid=revoke]").ClickAsync();
        await Assertions.Expect(officer.Locator("[data-testid=revoke-summary]")).ToContainTextAsync("Sql:database/orders");
        await officer.Locator("[data-testid=revoke-reason] textarea, textarea[data-testid=revoke-reason]").First
            .FillAsync("The repair is done; closing access.");
        await officer.ClickAsync("[data-testid=revoke-confirm]");
        await Assertions.Expect(officer.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference })).ToHaveCountAsync(0);

        // The engineer's page shows the end by itself.
        await Assertions.Expect(engineer.Locator("[data-testid=status]")).ToHaveTextAsync("Revoked");
        await Assertions.Expect(engineer.Locator("[data-testid=grant-state]")).ToContainTextAsync("revoked");
        Assert.True(await engineer.EvaluateAsync<bool>("window.__lockboxNoReload === true"));
    }
}
