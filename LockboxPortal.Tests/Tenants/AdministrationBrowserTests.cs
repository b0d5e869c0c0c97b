using System.Diagnostics;
using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Tenants;

[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class AdministrationBrowserTests(BrowserFixture browser)
{
    private const string OfficerPassword = "litware-officer-pass-1";
    private const string AdminPassword = "litware-admin-pass-22";

    [Fact]
    public async Task ProviderAdmin_OnboardsATenant_WhoseOfficerInvitesAnAdmin_WhoThenApprovesARequest()
    {
        await using var portal = new LivePortal(browser.Browser);

        // The provider admin creates the tenant and invites its first security officer.
        var admin = await portal.SignInAsync("admin@fabrikam.test");
        await admin.GotoAsync("/admin/tenants");
        await LivePortal.WaitForInteractiveAsync(admin);
        await Field(admin, "tenant-name").FillAsync("Litware");
        await Field(admin, "tenant-short-name").FillAsync("litware");
        await admin.ClickAsync("[data-testid=create-tenant]");
        await Assertions.Expect(admin.Locator("[data-testid=tenant-panel]")).ToContainTextAsync("Litware");
        var officerLink = await InviteAsync(admin, "olga@litware.test", "Olga Officer");

        // The officer accepts, sets a password, signs in and invites a TenantAdmin, who accepts too.
        await AcceptAsync(officerLink, OfficerPassword);
        var officer = await portal.SignInAsync("olga@litware.test", OfficerPassword);
        await officer.GotoAsync("/tenant/people");
        await LivePortal.WaitForInteractiveAsync(officer);
        await Assertions.Expect(officer.Locator("[data-testid=people]")).ToContainTextAsync("olga@litware.test");
        var adminLink = await InviteAsync(officer, "tara@litware.test", "Tara Admin");
        await AcceptAsync(adminLink, AdminPassword);
        await officer.ReloadAsync();
        await LivePortal.WaitForInteractiveAsync(officer);
        var taraRow = officer.Locator("[data-testid=people] tr").Filter(new LocatorFilterOptions { HasText = "tara@litware.test" });
        await Assertions.Expect(taraRow.Locator("[data-testid=role-TenantAdmin]")).ToBeVisibleAsync();
        await Assertions.Expect(officer.Locator("[data-testid=invitations]")).ToContainTextAsync("Accepted");

        // The officer puts the new admin on the approver list.
        await officer.GotoAsync("/policy");
        await LivePortal.WaitForInteractiveAsync(officer);
        await Assertions.Expect(officer.Locator("[data-testid=policy-tenant-name]")).ToHaveTextAsync("Litware");
        await LivePortal.SelectAsync(officer, "candidate", "Tara Admin");
        await officer.ClickAsync("[data-testid=add-approver]");
        await Assertions.Expect(officer.Locator("[data-testid=approver-list]")).ToContainTextAsync("Tara Admin");
        var (tenantId, _, taraId) = await IdsAsync(portal);

        // An engineer's request reaches the customer stage, and the new admin approves it in the browser.
        var request = await PendingCustomerAsync(portal, tenantId);
        var tara = await portal.SignInAsync("tara@litware.test", AdminPassword);
        await tara.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(tara);
        var row = tara.Locator("tr").Filter(new LocatorFilterOptions { HasText = request.Reference });
        await row.Locator("[data-testid=approve]").ClickAsync();
        await tara.ClickAsync("[data-testid=decision-confirm]");
        await Assertions.Expect(tara.Locator("tr").Filter(new LocatorFilterOptions { HasText = request.Reference })).ToHaveCountAsync(0);

        await using var db = portal.NewContext();
        var approved = await db.AccessRequests.Include(r => r.Decisions).SingleAsync(r => r.Id == request.Id);
        Assert.Equal(RequestStatus.Approved, approved.Status);
        Assert.Equal(taraId, approved.Decisions.Single(d => d.Stage == DecisionStage.Customer).DeciderId);
    }

    [Fact]
    public async Task DeactivatingAnApprover_WithTheirQueueOpen_RefusesThemAtOnce_AndTheirPageLosesAccessWithinAMinute()
    {
        await using var portal = new LivePortal(browser.Browser);
        var approver = await portal.SignInAsync("approver1@contoso.test");
        await approver.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(approver);
        var pendingRow = approver.Locator("tr").Filter(new LocatorFilterOptions { HasText = "SharePoint:site/finance" });
        await Assertions.Expect(pendingRow).ToHaveCountAsync(1);

        // Contoso's officer deactivates the approver from the people page.
        var officer = await portal.SignInAsync("officer@contoso.test");
        await officer.GotoAsync("/tenant/people");
        await LivePortal.WaitForInteractiveAsync(officer);
        var row = officer.Locator("[data-testid=people] tr").Filter(new LocatorFilterOptions { HasText = "approver1@contoso.test" });
        await row.Locator("[data-testid=deactivate-person]").ClickAsync();
        await officer.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Yes" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("Deactivated");
        var clock = Stopwatch.StartNew();

        // The service refuses their decision at once, and they are off the approver list.
        await using (var db = portal.NewContext())
        {
            var approverId = await db.Users.Where(u => u.Email == "approver1@contoso.test").Select(u => u.Id).SingleAsync();
            var requestId = await db.AccessRequests.Where(r => r.Scope == "SharePoint:site/finance").Select(r => r.Id).SingleAsync();
            Assert.False(await db.ApproverListEntries.AnyAsync(e => e.UserId == approverId));
            await using var scope = portal.Factory.Services.CreateAsyncScope();
            var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
            await Assert.ThrowsAsync<ForbiddenException>(() => requests.DecideCustomerAsync(As(approverId), requestId, approve: true, "still here?"));
        }

        // The open page is re-validated every minute and sends them to sign-in; signing in again is refused.
        await approver.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 75_000 });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(70), $"The page lost access only after {clock.Elapsed}.");
        await approver.FillAsync("#email", "approver1@contoso.test");
        await approver.FillAsync("#password", PortalFactory.DemoPassword);
        await approver.ClickAsync("button[type=submit]");
        await Assertions.Expect(approver.Locator("[data-testid=login-error]")).ToBeVisibleAsync();
    }

    private static ILocator Field(IPage page, string testId) =>
        page.Locator($"[data-testid={testId}] input, input[data-testid={testId}]").First;

    private static async Task<string> InviteAsync(IPage page, string email, string name)
    {
        await Field(page, "invite-email").FillAsync(email);
        await Field(page, "invite-name").FillAsync(name);
        await page.ClickAsync("[data-testid=invite]");
        var link = Field(page, "invitation-link");
        await Assertions.Expect(link).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/invitations/accept\\?token="));
        return await link.InputValueAsync();
    }

    /// <summary>Opens the link in a browser with no session, as the invitee would, and sets a password.</summary>
    private async Task AcceptAsync(string link, string password)
    {
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        await page.FillAsync("#password", password);
        await page.FillAsync("#confirm-password", password);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("[data-testid=invitation-accepted]")).ToBeVisibleAsync();
    }

    private static async Task<(Guid TenantId, string OfficerId, string AdminId)> IdsAsync(LivePortal portal)
    {
        await using var db = portal.NewContext();
        var tenantId = await db.Tenants.Where(t => t.ShortName == "litware").Select(t => t.Id).SingleAsync();
        var officerId = await db.Users.Where(u => u.Email == "olga@litware.test").Select(u => u.Id).SingleAsync();
        var adminId = await db.Users.Where(u => u.Email == "tara@litware.test").Select(u => u.Id).SingleAsync();
        return (tenantId, officerId, adminId);
    }

    private static async Task<AccessRequest> PendingCustomerAsync(LivePortal portal, Guid tenantId)
    {
        await using var db = portal.NewContext();
        var engineerId = await db.Users.Where(u => u.Email == "engineer@fabrikam.test").Select(u => u.Id).SingleAsync();
        var managerId = await db.Users.Where(u => u.Email == "manager@fabrikam.test").Select(u => u.Id).SingleAsync();
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
        var filed = await requests.FileAsync(As(engineerId), new FileRequestInput(
            tenantId, "Exchange:mailbox/ceo@litware.com", AccessLevel.Read, "Mail rules forward everything to an unknown address.", null, TimeSpan.FromHours(1), Reason: RequestReason.Maintenance));
        return await requests.DecideInternalAsync(As(managerId), filed.Id, approve: true, "ok");
    }

    private static ClaimsPrincipal As(string userId) => ServiceHarness.As(userId);
}
