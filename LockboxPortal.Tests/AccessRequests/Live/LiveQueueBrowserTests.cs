using System.Text.RegularExpressions;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LockboxPortal.Tests.AccessRequests.Live;

[Collection(BrowserCollection.Name)]
[Trait(TestPasses.Category, TestPasses.SqliteOnly)]
public sealed class LiveQueueBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task FiledRequest_ReachesOpenQueues_AndOneApproval_UpdatesTheEngineerAndTheSecondApprover_WithoutReload()
    {
        await using var portal = new LivePortal(browser.Browser);
        await portal.WithoutFreshFactorAtContosoAsync();
        var approver1 = await OpenQueueAsync(portal, "approver1@contoso.test");
        var approver2 = await OpenQueueAsync(portal, "approver2@contoso.test");

        // The engineer files through the form and keeps the request's page open.
        var engineer = await portal.SignInAsync("engineer@fabrikam.test");
        await LivePortal.SubmitNewRequestAsync(engineer);
        await Assertions.Expect(engineer).ToHaveURLAsync(new Regex("/requests/[0-9a-f-]{36}$"), new() { Timeout = 30_000 });
        await LivePortal.WaitForInteractiveAsync(engineer);
        var requestId = Guid.Parse(engineer.Url[^36..]);
        var reference = (await engineer.Locator("[data-testid=reference]").InnerTextAsync()).Trim();
        await MarkAsync(engineer);
        await Assertions.Expect(engineer.Locator("[data-testid=status]")).ToContainTextAsync("Awaiting manager");

        // The manager's approval hands it to the customer: both open queues show it, nobody reloads.
        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccessRequestService>().DecideInternalAsync(
                await LiveHubClient.PrincipalOfAsync(portal.Factory, "manager@fabrikam.test"), requestId, approve: true, null);
        }

        await Assertions.Expect(Row(approver1, reference)).ToHaveCountAsync(1);
        await Assertions.Expect(Row(approver2, reference)).ToHaveCountAsync(1);
        await Assertions.Expect(Row(approver2, reference).Locator("[data-testid=approvals-count]")).ToHaveTextAsync("0 of 1");
        await Assertions.Expect(Row(approver2, reference).Locator("[data-testid=countdown]")).ToContainTextAsync("left");
        await Assertions.Expect(engineer.Locator("[data-testid=status]")).ToContainTextAsync("Awaiting customer");

        // At a glance: the demo's pending Contoso request and this one.
        await Assertions.Expect(approver2.Locator("[data-testid=awaiting-customer]")).ToHaveTextAsync("2");
        await Assertions.Expect(approver2).ToHaveTitleAsync(new Regex(@"^\(2\) Approval queue"));

        // Approver 1 approves; one approval suffices at Contoso.
        await Row(approver1, reference).Locator("[data-testid=approve]").ClickAsync();
        await Assertions.Expect(approver1.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("Erin Engineer");
        await Assertions.Expect(approver1.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("ana@contoso.com");
        await Assertions.Expect(approver1.Locator("[data-testid=dialog-summary]")).ToContainTextAsync("4 h");
        await approver1.ClickAsync("[data-testid=decision-confirm]");

        await Assertions.Expect(engineer.Locator("[data-testid=status]")).ToContainTextAsync("Approved");
        await Assertions.Expect(Row(approver2, reference)).ToHaveCountAsync(0);
        await Assertions.Expect(approver2.Locator("[data-testid=queue-notice]").First)
            .ToContainTextAsync($"{reference} was approved by Alex Approver just now");
        await Assertions.Expect(approver2.Locator("[data-testid=awaiting-customer]")).ToHaveTextAsync("1");
        await Assertions.Expect(Row(approver1, reference)).ToHaveCountAsync(0);

        foreach (var page in new[] { approver1, approver2, engineer })
        {
            Assert.True(await NotReloadedAsync(page), $"{page.Url} was reloaded");
        }
    }

    [Fact]
    public async Task AfterTheServerDropsThePagesConnection_TheReconnectedQueue_ShowsTheCurrentState()
    {
        var dropper = new CircuitConnectionDropper();
        await using var portal = new LivePortal(browser.Browser, services: services => services.AddSingleton<IStartupFilter>(dropper));
        var approver = await OpenQueueAsync(portal, "approver1@contoso.test");
        var factory = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>();
        string waiting;
        await using (var db = await factory.CreateDbContextAsync())
        {
            waiting = await db.AccessRequests.Where(r => r.Status == RequestStatus.PendingCustomer && r.TenantId == DemoData.ContosoId)
                .Select(r => r.Reference).SingleAsync();
        }

        await Assertions.Expect(Row(approver, waiting)).ToHaveCountAsync(1);

        Assert.True(dropper.DropAllAndRefuse() > 0);
        await Assertions.Expect(approver.Locator("#components-reconnect-modal")).ToBeVisibleAsync();

        // While the page is cut off, the data changes behind this node's back (as another node would change it):
        // no event reaches the page, so only a re-read after reconnecting can show it.
        const string arrived = "LBX-2099-000777";
        await using (var db = await factory.CreateDbContextAsync())
        {
            var now = portal.Factory.Services.GetRequiredService<TimeProvider>().GetUtcNow();
            var engineer = (await db.Users.SingleAsync(u => u.Email == "engineer@fabrikam.test")).ToActor();
            var manager = (await db.Users.SingleAsync(u => u.Email == "manager@fabrikam.test")).ToActor();
            var cancelled = await db.AccessRequests.Include(r => r.Decisions).SingleAsync(r => r.Reference == waiting);
            cancelled.Cancel(new Actor(cancelled.RequesterId, cancelled.RequesterName), now);
            var added = AccessRequest.File(Guid.NewGuid(), arrived, DemoData.ContosoId, engineer, ResourceScope.Parse("Exchange:mailbox/bo@contoso.com"),
                AccessLevel.Read, "Filed on another node while this page was cut off.", null, TimeSpan.FromHours(1), TenantPolicy.Default, now, reason: RequestReason.Maintenance);
            added.ApproveInternal(manager, null, 1, now);
            db.AccessRequests.Add(added);
            await db.SaveChangesAsync();
        }

        dropper.AllowReconnection();

        await Assertions.Expect(approver.Locator("#components-reconnect-modal")).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(Row(approver, arrived)).ToHaveCountAsync(1);
        await Assertions.Expect(Row(approver, waiting)).ToHaveCountAsync(0);
        Assert.True(await NotReloadedAsync(approver), "the page was reloaded instead of reconnecting");
    }

    private static async Task<IPage> OpenQueueAsync(LivePortal portal, string email)
    {
        var page = await portal.SignInAsync(email);
        await page.GotoAsync("/queue/approvals");
        await LivePortal.WaitForInteractiveAsync(page);
        await MarkAsync(page);
        return page;
    }

    private static ILocator Row(IPage page, string reference) =>
        page.Locator("[data-testid=queue] tbody tr").Filter(new LocatorFilterOptions { HasText = reference });

    /// <summary>A mark in the page's window survives live updates and reconnection, and is gone after a reload.</summary>
    private static Task MarkAsync(IPage page) => page.EvaluateAsync("() => { window.__lbxNotReloaded = true; }");

    private static Task<bool> NotReloadedAsync(IPage page) => page.EvaluateAsync<bool>("() => window.__lbxNotReloaded === true");
}
