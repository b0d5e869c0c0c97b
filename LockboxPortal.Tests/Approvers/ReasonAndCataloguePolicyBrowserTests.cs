using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// The reasons and scope catalogue parts of the policy page, as Northwind's officer uses them, and what the engineer's
/// new-request form then offers: a refused reason is gone, the catalogue is the list to pick from.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class ReasonAndCataloguePolicyBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheOfficer_KeepsTheCatalogueAndRefusesAReason_AndTheEngineersFormFollows()
    {
        await using var portal = new LivePortal(browser.Browser);
        var officer = await portal.SignInAsync("officer@northwind.test");
        await officer.GotoAsync("/policy");
        await LivePortal.WaitForInteractiveAsync(officer);
        await Assertions.Expect(officer.Locator("[data-testid=policy-tenant-name]")).ToHaveTextAsync("Northwind");

        // Requiring an empty catalogue is refused beside the box, and nothing is saved.
        await officer.Locator("[data-testid=require-catalogue]").ClickAsync();
        await officer.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(officer.GetByText("Add a scope to the catalogue before requiring it", new() { Exact = false })).ToBeVisibleAsync();
        Assert.False((await portal.PolicyOfAsync(DemoData.NorthwindId)).RequireCatalogue);

        // A pattern that is not a scope is told beside the field and adds nothing; a good one lands in the table.
        var pattern = officer.Locator("[data-testid=catalogue-pattern] input, input[data-testid=catalogue-pattern]").First;
        await pattern.FillAsync("orders database");
        await pattern.PressAsync("Tab");
        await officer.ClickAsync("[data-testid=add-catalogue]");
        await Assertions.Expect(officer.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("Scope must be written Workload:resource");
        Assert.Empty(await CatalogueAsync(portal));

        await pattern.FillAsync("Sql:database/*");
        await pattern.PressAsync("Tab");
        await LivePortal.SelectAsync(officer, "catalogue-duration", "2 h");
        await officer.ClickAsync("[data-testid=add-catalogue]");
        await Assertions.Expect(officer.Locator("[data-testid=catalogue] tbody tr")).ToContainTextAsync("Sql:database/*");
        var entry = Assert.Single(await CatalogueAsync(portal));
        Assert.Equal((AccessLevel.Read, TimeSpan.FromHours(2)), (entry.MaxAccessLevel, entry.MaxDuration));

        // Now the catalogue may be required, and legal requests refused.
        await officer.Locator($"[data-testid=refuse-{RequestReason.LegalOrRegulatory}]").ClickAsync();
        await officer.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(officer.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "Policy saved." })).ToHaveCountAsync(1);
        var policy = await portal.PolicyOfAsync(DemoData.NorthwindId);
        Assert.True(policy.RequireCatalogue);
        Assert.Equal(RequestReasons.LegalOrRegulatory, policy.RefusedReasons);

        var engineer = await portal.SignInAsync("engineer@fabrikam.test");
        await engineer.GotoAsync("/requests/new");
        await LivePortal.WaitForInteractiveAsync(engineer);
        await LivePortal.SelectAsync(engineer, "tenant", "Northwind");
        await engineer.Locator("[data-testid=reason]").Locator("xpath=ancestor-or-self::div[contains(@class,'mud-select')][1]").ClickAsync();
        var reasons = engineer.Locator(".mud-popover-open .mud-list-item");
        await Assertions.Expect(reasons).ToHaveCountAsync(3);
        await Assertions.Expect(reasons.Filter(new LocatorFilterOptions { HasText = "Legal or regulatory request" })).ToHaveCountAsync(0);
        await engineer.Keyboard.PressAsync("Escape");
        await engineer.Locator("[data-testid=catalogue]").Locator("xpath=ancestor-or-self::div[contains(@class,'mud-select')][1]").ClickAsync();
        await Assertions.Expect(engineer.Locator(".mud-popover-open .mud-list-item")).ToHaveTextAsync(["Sql:database/* · Read · up to 2 h"]);
    }

    private static async Task<List<ScopeCatalogueEntry>> CatalogueAsync(LivePortal portal)
    {
        await using var db = portal.NewContext();
        return await db.ScopeCatalogueEntries.AsNoTracking().Where(e => e.TenantId == DemoData.NorthwindId).ToListAsync();
    }
}
