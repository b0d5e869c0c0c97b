using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using LockboxPortal.Tests.Tenants;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// One queue across tenants (DESIGN.md "People and roles": an MSP operator may administer several tenants): the
/// operator sees every tenant's requests where they may decide, each row naming its tenant, and only those; the
/// tenant filter narrows the query and never widens it; each decision follows its own tenant's policy.
/// </summary>
public sealed class CrossTenantQueueTests : IAsyncLifetime
{
    private ServiceHarness _harness = default!;

    /// <summary>A third tenant where the operator is a TenantAdmin but not on the approver list.</summary>
    private Guid _tailspin;

    public async Task InitializeAsync()
    {
        _harness = await ServiceHarness.CreateAsync();
        await _harness.AddOperatorAsync();
        _tailspin = Guid.NewGuid();
        await using var db = _harness.NewContext();
        db.Tenants.Add(new Tenant(_tailspin, "Tailspin", "tailspin", ServiceHarness.Start));
        db.Memberships.Add(new Membership(Cast.Operator, _tailspin, PortalRole.TenantAdmin));
        db.Memberships.Add(new Membership(Cast.Approver2, _tailspin, PortalRole.TenantAdmin));
        db.ApproverListEntries.Add(new ApproverListEntry(_tailspin, Cast.Approver2, ServiceHarness.Start));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task<RequestStatus> StatusAsync(Guid id)
    {
        await using var db = _harness.NewContext();
        return (await db.AccessRequests.FindAsync(id))!.Status;
    }

    [Fact]
    public async Task TheQueue_ShowsEveryTenantWhereTheOperatorMayDecide_NamingEachRowsTenant_AndNoOther()
    {
        var contoso = await _harness.PendingCustomerAsync(_harness.Contoso);
        var northwind = await _harness.PendingCustomerAsync(_harness.Northwind, "Sql:database/orders");
        var tailspin = await _harness.PendingCustomerAsync(_tailspin, "Sql:database/ledger");

        var queue = await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Operator);

        Assert.Equal(
            [(contoso.Id, "Contoso"), (northwind.Id, "Northwind")],
            queue.Select(r => (r.Request.Id, r.TenantName)).OrderBy(r => r.TenantName));
        Assert.DoesNotContain(queue, r => r.Request.Id == tailspin.Id);
        Assert.Equal(["Contoso", "Northwind"], (await _harness.Requests.ListDecidableTenantsAsync(ServiceHarness.Operator)).Select(t => t.Name));

        // Tailspin's own approver sees its request; the operator's membership there shows it nowhere in their queue.
        Assert.Contains(await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver2), r => r.Request.Id == tailspin.Id);
    }

    [Fact]
    public async Task RemovedFromOneTenantsList_TheOperatorNoLongerSeesThatTenantsRows_OrTheTenantInTheFilter()
    {
        var contoso = await _harness.PendingCustomerAsync(_harness.Contoso);
        var northwind = await _harness.PendingCustomerAsync(_harness.Northwind, "Sql:database/orders");

        await _harness.ApproverList.RemoveApproverAsync(AdminHarness.NorthwindOfficer, _harness.Northwind, Cast.Operator);

        var queue = await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Operator);
        Assert.Equal([contoso.Id], queue.Select(r => r.Request.Id));
        Assert.Empty(await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Operator, _harness.Northwind));
        Assert.Equal(["Contoso"], (await _harness.Requests.ListDecidableTenantsAsync(ServiceHarness.Operator)).Select(t => t.Name));
        await Assert.ThrowsAsync<ForbiddenException>(() =>
            _harness.Requests.DecideCustomerAsync(ServiceHarness.Operator, northwind.Id, approve: true, "still here?"));
    }

    [Fact]
    public async Task TheTenantFilter_NarrowsTheQuery_AndATenantWhereTheOperatorMayNotDecide_ShowsNothing()
    {
        var contoso = await _harness.PendingCustomerAsync(_harness.Contoso);
        var northwind = await _harness.PendingCustomerAsync(_harness.Northwind, "Sql:database/orders");
        await _harness.PendingCustomerAsync(_tailspin, "Sql:database/ledger");

        Assert.Equal([contoso.Id], (await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Operator, _harness.Contoso)).Select(r => r.Request.Id));
        Assert.Equal([northwind.Id], (await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Operator, _harness.Northwind)).Select(r => r.Request.Id));
        Assert.Empty(await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Operator, _tailspin));
        Assert.Empty(await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Operator, Guid.NewGuid()));

        // Another tenant's approver filtering to Contoso learns nothing of it.
        Assert.Empty(await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.NorthwindApprover, _harness.Contoso));
    }

    [Fact]
    public async Task EachDecision_FollowsItsOwnTenantsPolicy_AndFactor()
    {
        await _harness.SetPolicyAsync(_harness.Contoso, p => p with { RequireTwoFactor = true });
        string key;
        await using (var db = _harness.NewContext())
        {
            key = await Authenticators.EnrolAsync(db, Cast.Operator);
        }

        var contoso = await _harness.PendingCustomerAsync(_harness.Contoso);
        var northwind = await _harness.PendingCustomerAsync(_harness.Northwind, "Sql:database/orders");

        // Northwind asks for no factor; Contoso asks for a code proven now, from the same person in the same session.
        Assert.Equal(RequestStatus.Approved, (await _harness.Requests.DecideCustomerAsync(ServiceHarness.Operator, northwind.Id, approve: true, "ok")).Status);
        var missing = await Assert.ThrowsAsync<FreshFactorException>(() =>
            _harness.Requests.DecideCustomerAsync(ServiceHarness.Operator, contoso.Id, approve: true, "ok"));
        Assert.Equal(FreshFactorException.Missing, missing.Code);
        Assert.Equal(RequestStatus.PendingCustomer, await StatusAsync(contoso.Id));

        var approved = await _harness.Requests.DecideCustomerAsync(
            ServiceHarness.Operator, contoso.Id, approve: true, "ok", new FreshFactor(Totp.Code(key, _harness.Time.GetUtcNow())));

        Assert.Equal(RequestStatus.Approved, approved.Status);
        Assert.Empty(await _harness.Requests.ListCustomerQueueAsync(ServiceHarness.Operator));
    }
}
