using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Transparency;

[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class TransparencyBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheApproversOpenGrantPage_ShowsAReportAndTheCheckCounts_WithoutReload()
    {
        await using var portal = new LivePortal(browser.Browser, settings: new Dictionary<string, string?> { ["Transparency:FlushSeconds"] = "1" });
        const string scope = "Sql:database/invoices";
        var pending = await DemoRequests.AwaitingCustomerAsync(portal, scope, tenant: DemoData.NorthwindId);
        string dataPlaneToken;
        await using (var services = portal.Factory.Services.CreateAsyncScope())
        {
            var approver = await PrincipalAsync(services.ServiceProvider, "approver@northwind.test");
            await services.ServiceProvider.GetRequiredService<AccessRequestService>().DecideCustomerAsync(approver, pending.Id, approve: true, "ok");
            dataPlaneToken = (await services.ServiceProvider.GetRequiredService<ApiTokenService>().CreateServiceClientFromConsoleAsync("orders data plane")).Token;
        }

        // Northwind's approver opens the grant's page: nothing done yet.
        var page = await portal.SignInAsync("approver@northwind.test");
        await page.GotoAsync($"/requests/{pending.Id}");
        await LivePortal.WaitForInteractiveAsync(page);
        var activity = page.Locator("[data-testid=activity]");
        await Assertions.Expect(activity.Locator("[data-testid=no-reports]")).ToBeVisibleAsync();
        await Assertions.Expect(activity.Locator("[data-testid=no-checks]")).ToBeVisibleAsync();
        await page.EvaluateAsync("window.__lockboxNoReload = true");

        // The data plane checks access twice (allowed, then refused for read-write) and reports what it did.
        using var dataPlane = new HttpClient { BaseAddress = new Uri(portal.BaseUrl) };
        dataPlane.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", dataPlaneToken);
        var allowed = await dataPlane.PostAsJsonAsync("/api/v1/access-checks", new { tenant = "northwind", engineer = "engineer@fabrikam.test", scope, accessLevel = "read" });
        var refused = await dataPlane.PostAsJsonAsync("/api/v1/access-checks", new { tenant = "northwind", engineer = "engineer@fabrikam.test", scope, accessLevel = "readWrite" });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var report = await dataPlane.PostAsJsonAsync($"/api/v1/grants/{pending.Id}/activity", new
        {
            tenant = "northwind",
            activities = new[] { new { action = "invoices.export <b>bold</b>", resource = scope + "/2026", at = DateTimeOffset.UtcNow } },
        });
        Assert.Equal(HttpStatusCode.Created, report.StatusCode);

        // The open page shows both by itself: the report (its text as text) and the counts once flushed.
        var row = activity.Locator("[data-testid=report]");
        await Assertions.Expect(row.Locator("[data-testid=report-action]")).ToHaveTextAsync("invoices.export <b>bold</b>");
        await Assertions.Expect(row.Locator("[data-testid=report-resource]")).ToHaveTextAsync(scope + "/2026");
        await Assertions.Expect(row.Locator("[data-testid=report-client]")).ToContainTextAsync("orders data plane");
        Assert.Equal(0, await activity.Locator("b").CountAsync());
        var minutes = activity.Locator("[data-testid=check-minute]");
        await Assertions.Expect(minutes.Locator("[data-testid=checks-allowed]").Filter(new LocatorFilterOptions { HasText = "1" }).First).ToBeVisibleAsync();
        await Assertions.Expect(minutes.Locator("[data-testid=checks-refused]").Filter(new LocatorFilterOptions { HasText = "1" }).First).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("window.__lockboxNoReload === true"));
    }

    private static async Task<ClaimsPrincipal> PrincipalAsync(IServiceProvider services, string email)
    {
        var user = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email)
            ?? throw new InvalidOperationException($"No demo user {email}.");
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.Id)], "Test"));
    }
}
