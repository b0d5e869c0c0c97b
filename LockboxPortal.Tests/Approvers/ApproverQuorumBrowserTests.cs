using System.Security.Claims;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.Approvers;

[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class ApproverQuorumBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task OfficerRequiresTwoApprovals_TheQueueShowsOneOfTwo_AndOnlyTheSecondApprovalApproves()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();

        // Contoso's officer raises the quorum to 2 on the policy page.
        var officer = await portal.SignInAsync("officer@contoso.test");
        await officer.GotoAsync("/policy");
        await LivePortal.WaitForInteractiveAsync(officer);
        await Assertions.Expect(officer.Locator("[data-testid=policy-tenant-name]")).ToHaveTextAsync("Contoso");
        await Assertions.Expect(officer.Locator("[data-testid=quorum-note]")).ToContainTextAsync("requests already waiting keep");
        var required = officer.Locator("[data-testid=required-approvals] input, input[data-testid=required-approvals]").First;

        // More approvals than there are approvers (the two approvers and the operator) is shown beside the field and changes nothing.
        await required.FillAsync("4");
        await required.PressAsync("Tab");
        await officer.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(officer.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("Required approvals must be between 1 and the number of approvers (3)");

        await required.FillAsync("2");
        await required.PressAsync("Tab");
        await officer.ClickAsync("[data-testid=save-policy]");
        await Assertions.Expect(officer.Locator(".mud-snackbar")).ToContainTextAsync("Policy saved.");

        // A request reaches the customer stage after the change (filed and approved internally through the services).
        var reference = await PendingCustomerRequestAsync(portal);

        // The first approver approves: the request waits, showing 1 of 2.
        var first = await portal.SignInAsync("approver1@contoso.test");
        await first.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(first);
        var firstRow = Row(first, reference);
        await Assertions.Expect(firstRow.Locator("[data-testid=approvals]")).ToContainTextAsync("0 of 2");
        await ApproveAsync(first, firstRow);
        await Assertions.Expect(firstRow.Locator("[data-testid=approvals]")).ToContainTextAsync("1 of 2");
        await Assertions.Expect(firstRow.Locator("[data-testid=approvals]")).ToContainTextAsync("Alex Approver");

        // The second approver sees 1 of 2, approves, and the request is Approved.
        var second = await portal.SignInAsync("approver2@contoso.test");
        await second.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(second);
        var secondRow = Row(second, reference);
        await Assertions.Expect(secondRow.Locator("[data-testid=approvals]")).ToContainTextAsync("1 of 2");
        await ApproveAsync(second, secondRow);
        await Assertions.Expect(Row(second, reference)).ToHaveCountAsync(0);

        // The first approver's open queue hears of it and drops the row; the request reads Approved.
        await Assertions.Expect(Row(first, reference)).ToHaveCountAsync(0);
        var status = await StatusAsync(portal, reference);
        Assert.Equal(RequestStatus.Approved, status);
    }

    [Fact]
    public async Task AnApproverDelegates_TheDelegateSeesIt_AndEitherCanRevoke()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();

        var approver = await portal.SignInAsync("approver1@contoso.test");
        await approver.GotoAsync("/delegations");
        await LivePortal.WaitForInteractiveAsync(approver);
        await LivePortal.SelectAsync(approver, "delegate", "Avery Approver");
        await approver.Locator("[data-testid=delegation-reason] textarea, textarea[data-testid=delegation-reason]").First
            .FillAsync("<b>Away</b> at a conference");
        await approver.ClickAsync("[data-testid=create-delegation]");
        var active = approver.Locator("[data-testid=delegations-active]");
        await Assertions.Expect(active).ToContainTextAsync("Avery Approver");
        await Assertions.Expect(active).ToContainTextAsync("<b>Away</b> at a conference");

        // The delegate's open page lists it too, and the delegate revokes it.
        var delegatePage = await portal.SignInAsync("approver2@contoso.test");
        await delegatePage.GotoAsync("/delegations");
        await LivePortal.WaitForInteractiveAsync(delegatePage);
        await Assertions.Expect(delegatePage.Locator("[data-testid=delegations-active]")).ToContainTextAsync("Alex Approver");
        await delegatePage.Locator("[data-testid=delegations-active] [data-testid=revoke-delegation]").ClickAsync();

        // The approver's open page moves it to Past without a reload.
        await Assertions.Expect(approver.Locator("[data-testid=delegations-past]")).ToContainTextAsync("Revoked");
        await Assertions.Expect(active.Locator("[data-testid=revoke-delegation]")).ToHaveCountAsync(0);
    }

    private static ILocator Row(IPage page, string reference) =>
        page.Locator("tr").Filter(new LocatorFilterOptions { HasText = reference });

    private static async Task ApproveAsync(IPage page, ILocator row)
    {
        await row.Locator("[data-testid=approve]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("SharePoint:site/hr");
        await page.ClickAsync("[data-testid=decision-confirm]");
        await Assertions.Expect(page.Locator("[data-testid=dialog-summary]")).ToHaveCountAsync(0);
    }

    private static async Task<string> PendingCustomerRequestAsync(LivePortal portal)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
        var engineer = await PrincipalAsync(users, "engineer@fabrikam.test");
        var manager = await PrincipalAsync(users, "manager@fabrikam.test");
        var filed = await requests.FileAsync(engineer, new FileRequestInput(
            DemoData.ContosoId, "SharePoint:site/hr", AccessLevel.Read, "Payroll page fails to load; need to read the site settings.", "SR-4242", TimeSpan.FromHours(2), Reason: RequestReason.Maintenance));
        var pending = await requests.DecideInternalAsync(manager, filed.Id, approve: true, "ok");
        Assert.Equal(2, pending.RequiredApprovals);
        return pending.Reference;
    }

    private static async Task<RequestStatus> StatusAsync(LivePortal portal, string reference)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
        var mine = await requests.ListMineAsync(await PrincipalAsync(users, "engineer@fabrikam.test"));
        return mine.Single(r => r.Request.Reference == reference).Request.Status;
    }

    private static async Task<ClaimsPrincipal> PrincipalAsync(UserManager<PortalUser> users, string email)
    {
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No demo user {email}.");
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.Id)], "Test"));
    }
}
