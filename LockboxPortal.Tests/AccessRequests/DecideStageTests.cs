using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// <see cref="AccessRequestService.DecideAsync"/> chooses the stage from the request, so the queue pages and the API
/// cannot disagree about which decision a click or a call takes.
/// </summary>
public sealed class DecideStageTests
{
    [Fact]
    public async Task Decide_WhileTheProviderDecides_TakesTheInternalDecision()
    {
        await using var h = await ServiceHarness.CreateAsync();
        var filed = await h.Requests.FileAsync(ServiceHarness.Engineer, h.ValidInput());

        var decided = await h.Requests.DecideAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");

        Assert.Equal(RequestStatus.PendingCustomer, decided.Status);
        Assert.Equal(DecisionStage.Internal, Assert.Single(decided.Decisions).Stage);
    }

    [Fact]
    public async Task Decide_WhileTheCustomerDecides_TakesTheCustomerDecision()
    {
        await using var h = await ServiceHarness.CreateAsync();
        var pending = await h.PendingCustomerAsync();

        var decided = await h.Requests.DecideAsync(ServiceHarness.Approver1, pending.Id, approve: false, "Not during the audit.");

        Assert.Equal(RequestStatus.Rejected, decided.Status);
        Assert.Equal(DecisionStage.Customer, decided.Decisions[^1].Stage);
    }

    [Fact]
    public async Task Decide_BeforeTheCustomerStage_IsRefusedForTheApprover()
    {
        await using var h = await ServiceHarness.CreateAsync();
        var filed = await h.Requests.FileAsync(ServiceHarness.Engineer, h.ValidInput());

        await Assert.ThrowsAsync<ForbiddenException>(() => h.Requests.DecideAsync(ServiceHarness.Approver1, filed.Id, approve: true, null));
    }

    /// <summary>
    /// Rule 6: a manager who decides after the internal stage was decided (late, or the loser of a race) is told
    /// "already decided", not "not allowed", and the trail holds no refused customer decision by them. (This test
    /// replaces the half of an older one that expected "forbidden" here.)
    /// </summary>
    [Fact]
    public async Task Decide_ByAManagerOnceTheInternalStageIsDecided_IsAlreadyDecided_NotARefusedCustomerDecision()
    {
        await using var h = await ServiceHarness.CreateAsync();
        var pending = await h.PendingCustomerAsync();

        var late = await Assert.ThrowsAsync<InvalidTransitionException>(() => h.Requests.DecideAsync(ServiceHarness.Manager, pending.Id, approve: false, "too late"));

        Assert.Equal("already-decided", late.Code);
        var audit = await h.AuditAsync(pending.Id);
        Assert.DoesNotContain(audit, e => e.ActorId == Cast.Manager && e.EventType == Features.Audit.AuditEventType.Operation_Refused);
    }

    [Fact]
    public async Task Decide_AfterBothStages_TellsTheManagerAndTheApproverItWasAlreadyDecided()
    {
        await using var h = await ServiceHarness.CreateAsync();
        var approved = await h.ApprovedAsync();

        var manager = await Assert.ThrowsAsync<InvalidTransitionException>(() => h.Requests.DecideAsync(ServiceHarness.Manager, approved.Id, approve: false, "no"));
        var approver = await Assert.ThrowsAsync<InvalidTransitionException>(() => h.Requests.DecideAsync(ServiceHarness.Approver2, approved.Id, approve: true, null));

        Assert.Equal(("already-decided", "already-decided"), (manager.Code, approver.Code));
    }

    [Fact]
    public async Task Decide_OnNoRequest_IsNotFound()
    {
        await using var h = await ServiceHarness.CreateAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => h.Requests.DecideAsync(ServiceHarness.Manager, Guid.NewGuid(), approve: true, null));
    }
}
