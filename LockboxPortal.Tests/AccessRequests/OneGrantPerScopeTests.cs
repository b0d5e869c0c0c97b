using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Approvers;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// One engineer may not hold two overlapping grants on the same scope in a tenant: while one is approved (running or
/// scheduled), a second request for that scope, or for one above or beneath it, is refused and points to asking for
/// more time instead; two filed while neither was approved never both open: the approval that would open the second
/// is refused.
/// </summary>
public sealed class OneGrantPerScopeTests
{
    private const string Scope = "Exchange:mailbox/ana@contoso.com";

    [Theory]
    [InlineData(Scope)]
    [InlineData(Scope + "/inbox")]
    [InlineData("Exchange:mailbox")]
    public async Task FilingForAScopeAGrantAlreadyCovers_IsRefused_PointingToAnExtension(string scope)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var held = await harness.ApprovedAsync(scope: Scope);

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: scope, level: AccessLevel.ReadWrite)));

        var message = Assert.Single(refused.Errors[nameof(AccessRequest.Scope)]);
        Assert.Contains(held.Reference, message, StringComparison.Ordinal);
        Assert.Contains("ask for more time", message, StringComparison.Ordinal);
        await using var db = harness.NewContext();
        Assert.Equal(1, await db.AccessRequests.CountAsync());
    }

    [Fact]
    public async Task ASecondApproval_OfTheRequestWhoseGrantJustOpened_IsAlreadyDecided_NotASecondGrant()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var granted = await harness.ApprovedAsync(scope: Scope);

        // The late approver's decision finds the request's own grant: that is no second grant, the request is decided.
        var refused = await Assert.ThrowsAsync<InvalidTransitionException>(() =>
            harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, granted.Id, approve: true, "me too"));
        Assert.Equal("already-decided", refused.Code);
    }

    [Fact]
    public async Task AScheduledGrant_CountsAsHeld()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { StartsAt = harness.Time.GetUtcNow().AddDays(1) });
        await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");
        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, filed.Id, approve: true, "ok");

        await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput()));
    }

    [Fact]
    public async Task AnotherScope_AnotherEngineer_AnotherTenant_OrAPendingRequest_AreNoObstacle()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.ApprovedAsync(scope: Scope);
        await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: "Exchange:mailbox/ben@contoso.com"));

        await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: "Exchange:mailbox/ana@contoso.community"));
        await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: "Exchange:mailbox/ben@contoso.com"));
        await harness.Requests.FileAsync(ServiceHarness.Engineer2, harness.ValidInput(scope: Scope));
        await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(tenant: harness.Northwind, scope: Scope));

        await using var db = harness.NewContext();
        Assert.Equal(6, await db.AccessRequests.CountAsync());
    }

    [Theory]
    [InlineData("released")]
    [InlineData("ended")]
    public async Task OnceTheGrantEnded_TheScopeMayBeRequestedAgain(string how)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var held = await harness.ApprovedAsync(scope: Scope);
        if (how == "released")
        {
            await harness.Grants.ReleaseAsync(ServiceHarness.Engineer, held.Id);
        }
        else
        {
            // The window's end is what counts, not whether the timer closed it yet.
            harness.Time.SetUtcNow(held.GrantEndsAt!.Value);
        }

        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: Scope));

        Assert.Equal(RequestStatus.PendingInternal, filed.Status);
    }

    [Theory]
    [InlineData(Scope)]
    [InlineData(Scope + "/inbox")]
    public async Task TwoPendingForOneScope_TheApprovalThatWouldOpenTheSecondGrant_IsRefused_AndItStaysPending(string second)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2 });
        var first = await harness.PendingCustomerAsync(scope: Scope);
        var other = await harness.PendingCustomerAsync(scope: second);
        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, first.Id, approve: true, "ok");
        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, first.Id, approve: true, "ok");

        // An approval short of the quorum opens nothing and counts; the one that would open the grant is refused.
        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, other.Id, approve: true, "ok");
        var refused = await Assert.ThrowsAsync<GrantAlreadyHeldException>(() =>
            harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, other.Id, approve: true, "ok"));

        Assert.Equal("grant-held", refused.Code);
        Assert.Contains(first.Reference, refused.Message, StringComparison.Ordinal);
        Assert.Contains(await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused),
            e => e.SubjectId == other.Id.ToString() && e.DetailsJson.Contains("grant-held", StringComparison.Ordinal));
        await using (var db = harness.NewContext())
        {
            var stored = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleAsync(r => r.Id == other.Id);
            Assert.Equal((RequestStatus.PendingCustomer, 1), (stored.Status, stored.CustomerApprovals.Count));
            Assert.Equal(1, await db.AccessRequests.CountAsync(r => r.Status == RequestStatus.Approved));
        }

        // It may still be rejected.
        var rejected = await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver2, other.Id, approve: false, "Already granted.");
        Assert.Equal(RequestStatus.Rejected, rejected.Status);
    }

    [Fact]
    public async Task ThePendingSecond_OpensOnceTheFirstGrantEnded()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var first = await harness.PendingCustomerAsync(scope: Scope);
        var other = await harness.PendingCustomerAsync(scope: Scope);
        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, first.Id, approve: true, "ok");
        await Assert.ThrowsAsync<GrantAlreadyHeldException>(() => harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, other.Id, approve: true, "ok"));

        await harness.Grants.ReleaseAsync(ServiceHarness.Engineer, first.Id);

        Assert.Equal(RequestStatus.Approved, (await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, other.Id, approve: true, "ok")).Status);
    }

    [Fact]
    public void TheEntity_RefusesOnlyTheApprovalThatWouldOpenASecondGrant_NeverAnExtensionOfTheHeldOne()
    {
        var held = RequestBuilder.Approved();
        var second = RequestBuilder.PendingCustomer(requiredApprovals: 2);

        second.ApproveCustomer(RequestBuilder.ApproverA, null, "ok", RequestBuilder.GrantStart, grantHeld: held);
        Assert.Throws<GrantAlreadyHeldException>(() => second.ApproveCustomer(RequestBuilder.ApproverB, null, "ok", RequestBuilder.GrantStart, grantHeld: held));
        Assert.Equal((RequestStatus.PendingCustomer, 1), (second.Status, second.CustomerApprovals.Count));

        var at = held.GrantStartsAt!.Value.AddMinutes(1);
        var extension = held.FileExtension(Guid.NewGuid(), "LBX-2026-009999", RequestBuilder.Requester, TimeSpan.FromHours(1), "The repair needs another hour.",
            Features.Tenants.TenantPolicy.Default, at);
        extension.ApproveInternal(RequestBuilder.Manager, null, 1, at);
        extension.ApproveCustomer(RequestBuilder.ApproverA, null, "ok", at, grantHeld: held);
        Assert.Equal(RequestStatus.Extended, extension.Status);
    }
}
