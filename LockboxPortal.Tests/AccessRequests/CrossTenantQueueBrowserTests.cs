using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// The demo's MSP operator in real Chromium: one queue with Contoso's and Northwind's requests, each row naming its
/// tenant, a tenant filter, and each decision under its own tenant's policy (Contoso, where the operator signed in with
/// the authenticator's code, asks for a fresh code with each decision; Northwind does not).
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class CrossTenantQueueBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheOperator_SeesBothTenantsInOneQueue_FiltersByTenant_AndDecidesEachUnderItsOwnPolicy()
    {
        await using var portal = new LivePortal(browser.Browser);
        var contoso = await DemoRequests.AwaitingCustomerAsync(portal, "SharePoint:site/hr");
        var northwind = await DemoRequests.AwaitingCustomerAsync(portal, "Sql:database/invoices", tenant: DemoData.NorthwindId);

        var page = await portal.SignInAsync("operator@msp.test");
        await page.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(page);

        await Assertions.Expect(Row(page, contoso.Reference).Locator("[data-testid=tenant]")).ToHaveTextAsync("Contoso");
        await Assertions.Expect(Row(page, northwind.Reference).Locator("[data-testid=tenant]")).ToHaveTextAsync("Northwind");

        await LivePortal.SelectAsync(page, "queue-tenant-filter", "Northwind");
        await Assertions.Expect(Row(page, contoso.Reference)).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=queue] [data-testid=tenant]")).ToHaveTextAsync(["Northwind"]);
        await LivePortal.SelectAsync(page, "queue-tenant-filter", "Contoso");
        await Assertions.Expect(Row(page, northwind.Reference)).ToHaveCountAsync(0);
        await Assertions.Expect(Row(page, contoso.Reference)).ToHaveCountAsync(1);

        // The demo data's own Contoso request waits there too; no Northwind row is left.
        await Assertions.Expect(page.Locator("[data-testid=queue] [data-testid=tenant]").Filter(new LocatorFilterOptions { HasText = "Northwind" }))
            .ToHaveCountAsync(0);
        await LivePortal.SelectAsync(page, "queue-tenant-filter", "All tenants");
        await Assertions.Expect(Row(page, northwind.Reference)).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, contoso.Reference)).ToHaveCountAsync(1);

        // Northwind: reject with a reason, nothing more asked.
        await Row(page, northwind.Reference).Locator("[data-testid=reject]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("Sql:database/invoices");
        await Assertions.Expect(page.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("Northwind");
        await Assertions.Expect(page.Locator(".mud-dialog [data-testid=fresh-factor-code]")).ToHaveCountAsync(0);
        await page.Locator("[data-testid=decision-comment] textarea, textarea[data-testid=decision-comment]").First
            .FillAsync("Not this week: the orders database is frozen for the audit.");
        await page.ClickAsync("[data-testid=decision-confirm]");
        await Assertions.Expect(Row(page, northwind.Reference)).ToHaveCountAsync(0);
        Assert.Equal(RequestStatus.Rejected, await DemoRequests.StatusAsync(portal, northwind.Id));

        // Contoso: its policy asks for the authenticator's code with the decision.
        await Row(page, contoso.Reference).Locator("[data-testid=approve]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("Contoso");
        await Assertions.Expect(page.Locator(".mud-dialog")).ToContainTextAsync("proven within 5 min");
        await page.Locator("[data-testid=fresh-factor-code] input, input[data-testid=fresh-factor-code]").First
            .FillAsync(Totp.Now(PortalFactory.DemoAuthenticatorKey));
        await page.ClickAsync("[data-testid=decision-confirm]");
        await Assertions.Expect(Row(page, contoso.Reference)).ToHaveCountAsync(0);

        Assert.Equal(RequestStatus.Approved, await DemoRequests.StatusAsync(portal, contoso.Id));
        Assert.Equal(RequestStatus.Rejected, await DemoRequests.StatusAsync(portal, northwind.Id));
    }

    private static ILocator Row(IPage page, string reference) =>
        page.Locator("[data-testid=queue] tr").Filter(new LocatorFilterOptions { HasText = reference });
}
