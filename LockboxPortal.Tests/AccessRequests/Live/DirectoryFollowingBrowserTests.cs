using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>
/// Open pages (real headless Chromium) and hub connections (a real SignalR client) follow the directory: taken off a
/// tenant's approver list, or out of the tenant, a person's open queue stops offering and showing its requests at
/// once, the services refuse their decisions, and their hub connection stops hearing the tenant. A colleague's open
/// queue keeps working, so an empty queue is not just a broken page.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class DirectoryFollowingBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task TakenOffTheApproverList_TheOpenQueue_NeitherOffersNorShowsTheTenantsRequests()
    {
        await using var portal = new LivePortal(browser.Browser);
        var waiting = await WaitingReferenceAsync(portal);
        var removed = await OpenQueueAsync(portal, "approver2@contoso.test");
        var colleague = await OpenQueueAsync(portal, "approver1@contoso.test");
        await Assertions.Expect(Row(removed, waiting).Locator("[data-testid=approve]")).ToHaveCountAsync(1);

        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApproverListService>().RemoveApproverAsync(
                await LiveHubClient.PrincipalOfAsync(portal.Factory, "officer@contoso.test"), DemoData.ContosoId, await UserIdAsync(portal, "approver2@contoso.test"));
        }

        await Assertions.Expect(Row(removed, waiting)).ToHaveCountAsync(0);
        await Assertions.Expect(Row(colleague, waiting)).ToHaveCountAsync(1);
        await Assert.ThrowsAsync<ForbiddenException>(async () => await DecideAsync(portal, "approver2@contoso.test", waiting));

        var arrived = await FileAndPassInternalAsync(portal);
        await Assertions.Expect(Row(colleague, arrived.Reference)).ToHaveCountAsync(1);
        await Assertions.Expect(Row(removed, arrived.Reference)).ToHaveCountAsync(0);
        await Assertions.Expect(removed.Locator("[data-testid=approve]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task RemovedFromTheTenant_TheOpenQueueAndHubConnection_CanNeitherActOnNorHearAboutItsRequests()
    {
        await using var portal = new LivePortal(browser.Browser);
        var waiting = await WaitingReferenceAsync(portal);
        var removed = await OpenQueueAsync(portal, "approver2@contoso.test");
        var colleague = await OpenQueueAsync(portal, "approver1@contoso.test");
        await using var hub = await LiveHubClient.ConnectAsync(portal.BaseUrl, "approver2@contoso.test");
        await using var colleagueHub = await LiveHubClient.ConnectAsync(portal.BaseUrl, "approver1@contoso.test");
        await Assertions.Expect(Row(removed, waiting)).ToHaveCountAsync(1);

        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PeopleService>().RemoveFromTenantAsync(
                await LiveHubClient.PrincipalOfAsync(portal.Factory, "officer@contoso.test"), await UserIdAsync(portal, "approver2@contoso.test"), DemoData.ContosoId);
        }

        await Assertions.Expect(Row(removed, waiting)).ToHaveCountAsync(0);
        await Assert.ThrowsAnyAsync<LockboxRuleException>(async () => await DecideAsync(portal, "approver2@contoso.test", waiting));

        var arrived = await FileAndPassInternalAsync(portal);
        await colleagueHub.WaitForAsync(m => m.RequestId == arrived.Id && m.Kind == nameof(RequestEventKind.InternalApproved));
        await Assertions.Expect(Row(colleague, arrived.Reference)).ToHaveCountAsync(1);
        await Assertions.Expect(Row(removed, arrived.Reference)).ToHaveCountAsync(0);
        Assert.DoesNotContain(hub.Received, m => m.RequestId == arrived.Id);
        await hub.ClosedAsync();
    }

    private static async Task<IPage> OpenQueueAsync(LivePortal portal, string email)
    {
        var page = await portal.SignInAsync(email);
        await page.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(page);
        return page;
    }

    private static ILocator Row(IPage page, string reference) =>
        page.Locator("[data-testid=queue] tbody tr").Filter(new LocatorFilterOptions { HasText = reference });

    private static async Task<string> WaitingReferenceAsync(LivePortal portal)
    {
        await using var db = await portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync();
        return await db.AccessRequests.Where(r => r.Status == RequestStatus.PendingCustomer && r.TenantId == DemoData.ContosoId).Select(r => r.Reference).SingleAsync();
    }

    private static async Task<string> UserIdAsync(LivePortal portal, string email) =>
        (await LiveHubClient.PrincipalOfAsync(portal.Factory, email)).FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value;

    /// <summary>What the page's approve button would call, with the person's own (unchanged) session.</summary>
    private static async Task DecideAsync(LivePortal portal, string email, string reference)
    {
        Guid id;
        await using (var db = await portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync())
        {
            id = await db.AccessRequests.Where(r => r.Reference == reference).Select(r => r.Id).SingleAsync();
        }

        await using var scope = portal.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AccessRequestService>().DecideCustomerAsync(
            ServiceHarness.WithSecondFactor(await UserIdAsync(portal, email)), id, approve: true, "after removal");
    }

    private static async Task<AccessRequest> FileAndPassInternalAsync(LivePortal portal)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var requests = scope.ServiceProvider.GetRequiredService<AccessRequestService>();
        var filed = await requests.FileAsync(await LiveHubClient.PrincipalOfAsync(portal.Factory, "engineer@fabrikam.test"),
            new FileRequestInput(DemoData.ContosoId, "Exchange:mailbox/bo@contoso.com", AccessLevel.Read, "Checking a reported problem for the customer.", null, null, Reason: RequestReason.Maintenance));
        return await requests.DecideInternalAsync(await LiveHubClient.PrincipalOfAsync(portal.Factory, "manager@fabrikam.test"), filed.Id, approve: true, null);
    }
}
