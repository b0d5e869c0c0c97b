using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// The customer queues of one tenant share one read of its pending rows (PendingRows) until an event of the tenant,
/// and each person still sees only what the rules let them decide. Storage is changed behind the portal's back to
/// show which reads reached it.
/// </summary>
public sealed class PendingRowsTests
{
    [Fact]
    public async Task TheTenantsQueues_ShareOneRead_UntilAnEventOfTheTenant_OrUntilItIsReadAgain()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var first = await harness.PendingCustomerAsync();
        Assert.Equal([first.Id], await QueueAsync(harness, ServiceHarness.Approver1));

        // Renamed in storage alone: a read of storage would show it, the shared answer does not.
        await using (var db = harness.NewContext())
        {
            await db.AccessRequests.Where(r => r.Id == first.Id).ExecuteUpdateAsync(r => r.SetProperty(x => x.Justification, "Changed behind the portal's back."));
        }

        var second = await harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver2);
        Assert.Equal(first.Justification, Assert.Single(second).Request.Justification);

        // A page that reconnected may have missed events: it reads storage itself.
        var reconnected = await harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver2, fromStorage: true);
        Assert.Equal("Changed behind the portal's back.", Assert.Single(reconnected).Request.Justification);

        // An event of the tenant: every queue reads again, once, and sees both the change and the new request.
        var next = await harness.PendingCustomerAsync(scope: "Exchange:mailbox/ben@contoso.com");
        var after = await harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver2);
        Assert.Equal(new[] { first.Id, next.Id }.Order(), after.Select(r => r.Request.Id).Order());
        Assert.Equal("Changed behind the portal's back.", after.Single(r => r.Request.Id == first.Id).Request.Justification);

        await using (var db = harness.NewContext())
        {
            await db.AccessRequests.Where(r => r.Id == next.Id).ExecuteUpdateAsync(r => r.SetProperty(x => x.Justification, "Changed again."));
        }

        harness.Time.Advance(PendingRows.ReadAgainAfter);
        Assert.Equal("Changed again.", (await harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver1)).Single(r => r.Request.Id == next.Id).Request.Justification);
    }

    [Fact]
    public async Task FromTheSharedRows_EachPersonSeesOnlyWhereTheyMayDecide()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.AddOperatorAsync();
        var contoso = await harness.PendingCustomerAsync(harness.Contoso);
        var northwind = await harness.PendingCustomerAsync(harness.Northwind, "Sql:database/orders");

        Assert.Equal([contoso.Id], await QueueAsync(harness, ServiceHarness.Approver1));
        Assert.Equal([northwind.Id], await QueueAsync(harness, ServiceHarness.NorthwindApprover));
        Assert.Equal(new[] { contoso.Id, northwind.Id }.Order(), (await QueueAsync(harness, ServiceHarness.Operator)).Order());
        Assert.Equal([northwind.Id], await QueueAsync(harness, ServiceHarness.Operator, harness.Northwind));
        Assert.Empty(await QueueAsync(harness, ServiceHarness.Manager));
        Assert.Empty(await QueueAsync(harness, ServiceHarness.Engineer));
    }

    private static async Task<IReadOnlyList<Guid>> QueueAsync(ServiceHarness harness, System.Security.Claims.ClaimsPrincipal person, Guid? tenant = null) =>
        (await harness.Requests.ListCustomerQueueAsync(person, tenant)).Select(r => r.Request.Id).ToList();
}
