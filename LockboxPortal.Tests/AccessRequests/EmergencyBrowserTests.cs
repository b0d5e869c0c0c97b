using System.Text.RegularExpressions;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.AccessRequests.Live;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// Emergency access in Chromium, at Northwind (no two-factor, two-person rule off): its officer turns it on with its
/// window and length on the policy page, the engineer declares one on <c>/emergencies/new</c>, and the approver's
/// open queue shows it to ratify without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class EmergencyBrowserTests(BrowserFixture browser)
{
    private const string Justification = "Mail flow outage: the transport rules loop and bounce every order confirmation.";

    [Fact]
    public async Task TheOfficer_TurnsEmergencyAccessOnOnThePolicyPage_ThenTheEngineersBadDeclarationIsRefused_AndAGoodOneOpensItsGrantAtOnce()
    {
        await using var portal = new LivePortal(browser.Browser);

        // Northwind's officer turns it on: ratify within 48 hours, grants of 30 minutes.
        var officer = await portal.SignInAsync("officer@northwind.test");
        await officer.GotoAsync("/policy");
        await LivePortal.WaitForInteractiveAsync(officer);
        await Assertions.Expect(officer.Locator("[data-testid=policy-tenant-name]")).ToHaveTextAsync("Northwind");
        var window = Input(officer, "emergency-window-hours");
        var length = Input(officer, "emergency-grant-minutes");
        await Assertions.Expect(window).ToBeDisabledAsync();
        await officer.Locator("[data-testid=allow-emergency]").ClickAsync();
        await Assertions.Expect(window).ToBeEnabledAsync();
        await window.FillAsync("48");
        await window.PressAsync("Tab");
        await length.FillAsync("30");
        await length.PressAsync("Tab");
        await officer.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(officer.Locator(".mud-snackbar").Filter(new LocatorFilterOptions { HasText = "Policy saved." })).ToHaveCountAsync(1);
        var policy = await portal.PolicyOfAsync(DemoData.NorthwindId);
        Assert.Equal((true, TimeSpan.FromHours(48), TimeSpan.FromMinutes(30)),
            (policy.AllowEmergencyAccess, policy.EmergencyRatificationWindow, policy.EmergencyGrantDuration));

        // After a reload the page shows what was saved.
        await officer.ReloadAsync();
        await LivePortal.WaitForInteractiveAsync(officer);
        await Assertions.Expect(officer.Locator("[data-testid=allow-emergency] input, input[data-testid=allow-emergency]").First).ToBeCheckedAsync();
        await Assertions.Expect(window).ToHaveValueAsync("48");
        await Assertions.Expect(length).ToHaveValueAsync("30");
        await Assertions.Expect(window).ToBeEnabledAsync();

        // The engineer's incident reference has spaces: told beside the field, nothing is created.
        var scope = $"Sql:database/{Guid.NewGuid():N}";
        var engineer = await portal.SignInAsync("engineer@fabrikam.test");
        await engineer.GotoAsync("/emergencies/new");
        await LivePortal.WaitForInteractiveAsync(engineer);
        await LivePortal.SelectAsync(engineer, "tenant", "Northwind");
        await Input(engineer, "incident").FillAsync("no spaces allowed");
        await Input(engineer, "scope").FillAsync(scope);
        await engineer.Locator("[data-testid=justification] textarea, textarea[data-testid=justification]").First.FillAsync(Justification);
        await engineer.ClickAsync("[data-testid=declare]");
        await Assertions.Expect(engineer.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync(AccessRequest.IncidentReferenceRule);
        Assert.EndsWith("/emergencies/new", engineer.Url, StringComparison.Ordinal);
        await using (var db = portal.NewContext())
        {
            Assert.False(await db.AccessRequests.AnyAsync(r => r.Scope == scope));
        }

        // Corrected, it lands on the request's page with the emergency's grant running for the tenant's 30 minutes.
        await Input(engineer, "incident").FillAsync("INC-2026-0042");
        await engineer.ClickAsync("[data-testid=declare]");
        await Assertions.Expect(engineer).ToHaveURLAsync(new Regex("/requests/[0-9a-f-]{36}$"), new() { Timeout = 30_000 });
        await LivePortal.WaitForInteractiveAsync(engineer);
        await Assertions.Expect(engineer.Locator("[data-testid=emergency-panel] [data-testid=incident]")).ToHaveTextAsync("INC-2026-0042");
        await Assertions.Expect(engineer.Locator("[data-testid=emergency]")).ToHaveTextAsync("Emergency — ratify or reject");
        await Assertions.Expect(engineer.Locator("[data-testid=status]").First).ToHaveTextAsync("Approved");
        await Assertions.Expect(engineer.Locator("[data-testid=grant-state] [data-testid=countdown]")).ToHaveTextAsync(new Regex(@"^(29|30) min \d\d s left$"));

        await using var check = portal.NewContext();
        var declared = await check.AccessRequests.AsNoTracking().SingleAsync(r => r.Scope == scope);
        Assert.Equal(Guid.Parse(engineer.Url[^36..]), declared.Id);
        Assert.Equal((RequestStatus.Approved, Ratification.Pending, "INC-2026-0042"), (declared.Status, declared.Ratification, declared.IncidentReference));
        Assert.Equal(TimeSpan.FromMinutes(30), declared.GrantEndsAt - declared.GrantStartsAt);
        Assert.Equal(TimeSpan.FromHours(48), declared.ExpiresAt - declared.CreatedAt);
    }

    [Fact]
    public async Task ADeclaredEmergency_ReachesTheApproversOpenQueue_AsRatifyOrReject_WithoutReload()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.ArrangePolicyAsync(DemoData.NorthwindId, policy => policy with { AllowEmergencyAccess = true });

        var approver = await portal.SignInAsync("approver@northwind.test");
        await approver.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(approver);
        await approver.EvaluateAsync("() => { window.__lbxNotReloaded = true; }");

        await using var services = portal.Factory.Services.CreateAsyncScope();
        var declared = await services.ServiceProvider.GetRequiredService<AccessRequestService>().DeclareEmergencyAsync(
            await LiveHubClient.PrincipalOfAsync(portal.Factory, "engineer@fabrikam.test"),
            new DeclareEmergencyInput(DemoData.NorthwindId, $"Sql:database/{Guid.NewGuid():N}", AccessLevel.Read, "INC-2026-0043", Justification));

        var row = approver.Locator("[data-testid=queue] tbody tr").Filter(new LocatorFilterOptions { HasText = declared.Reference });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("[data-testid=emergency]")).ToHaveTextAsync("Emergency — ratify or reject");
        Assert.True(await approver.EvaluateAsync<bool>("() => window.__lbxNotReloaded === true"), "the queue was reloaded");
    }

    /// <summary>A MudBlazor field's input, whichever element carries the test id.</summary>
    private static ILocator Input(IPage page, string testId) =>
        page.Locator($"[data-testid={testId}] input, input[data-testid={testId}]").First;
}
