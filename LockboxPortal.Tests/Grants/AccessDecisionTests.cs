using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.AccessRequests;
using static LockboxPortal.Tests.AccessRequests.RequestBuilder;

namespace LockboxPortal.Tests.Grants;

/// <summary>DESIGN.md rule 1 and 7: the access decision allows only an Approved request inside its grant window, and fails closed.</summary>
public class AccessDecisionTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly DateTimeOffset Inside = GrantStart.AddHours(1);

    private static AccessQuery Query(
        string scope = DefaultScope, AccessLevel level = AccessLevel.Read, Guid? tenant = null, string? engineer = null) =>
        new(tenant ?? Contoso, engineer ?? Requester.UserId, ResourceScope.Parse(scope), level);

    private static AccessVerdict Evaluate(AccessRequest request, AccessQuery? query = null, DateTimeOffset? now = null) =>
        AccessDecision.Evaluate(query ?? Query(), EngineerStanding.Engineer, [request], now ?? Inside);

    [Fact]
    public void Approved_InsideTheGrantWindow_IsAllowed()
    {
        var request = Approved();

        var verdict = Evaluate(request);

        Assert.True(verdict.IsAllowed);
        Assert.Equal(AccessDecisionReason.Allowed, verdict.Reason);
        Assert.Equal(request.Id, verdict.RequestId);
        Assert.Equal(GrantEnd, verdict.GrantEndsAt);
    }

    /// <summary>Each state other than Approved, with the reason written out (not computed from the code under test).</summary>
    public static TheoryData<RequestStatus, AccessDecisionReason> NonApprovedStates() => new()
    {
        { RequestStatus.PendingInternal, AccessDecisionReason.AwaitingApproval },
        { RequestStatus.PendingCustomer, AccessDecisionReason.AwaitingApproval },
        { RequestStatus.Denied, AccessDecisionReason.NotApproved },
        { RequestStatus.Rejected, AccessDecisionReason.NotApproved },
        { RequestStatus.Cancelled, AccessDecisionReason.NotApproved },
        { RequestStatus.Expired, AccessDecisionReason.NotApproved },
        { RequestStatus.Completed, AccessDecisionReason.GrantEnded },
        { RequestStatus.Revoked, AccessDecisionReason.GrantRevoked },

        // An approved extension moves its grant's end; it never allows anything itself.
        { RequestStatus.Extended, AccessDecisionReason.NotApproved },
    };

    [Fact]
    public void NonApprovedStates_ListEveryStateButApproved()
    {
        var listed = NonApprovedStates().Select(row => (RequestStatus)row[0]).ToHashSet();

        Assert.Equal(Enum.GetValues<RequestStatus>().Where(s => s != RequestStatus.Approved).ToHashSet(), listed);
    }

    [Theory]
    [MemberData(nameof(NonApprovedStates))]
    public void NonApprovedRequest_IsRefused_WithItsReason(RequestStatus status, AccessDecisionReason reason)
    {
        var request = InState(status);

        // Asked at a moment that would lie inside a grant window, so only the state can refuse.
        var verdict = Evaluate(request, now: GrantStart.AddMinutes(1));

        Assert.False(verdict.IsAllowed);
        Assert.Equal(reason, verdict.Reason);
        Assert.Equal(request.Id, verdict.RequestId);
        Assert.Null(verdict.GrantEndsAt);
    }

    [Fact]
    public void Approved_BeforeGrantStart_IsRefused()
    {
        var verdict = Evaluate(Approved(), now: GrantStart - Tick);

        Assert.Equal(AccessDecisionReason.GrantNotStarted, verdict.Reason);
    }

    [Fact]
    public void Approved_AtGrantStart_IsAllowed()
    {
        Assert.True(Evaluate(Approved(), now: GrantStart).IsAllowed);
    }

    [Fact]
    public void Approved_OneTickBeforeGrantEnd_IsAllowed()
    {
        Assert.True(Evaluate(Approved(), now: GrantEnd - Tick).IsAllowed);
    }

    [Fact]
    public void Approved_AtGrantEnd_IsRefused_BecauseTheEndIsExclusive()
    {
        var verdict = Evaluate(Approved(), now: GrantEnd);

        Assert.Equal(AccessDecisionReason.GrantEnded, verdict.Reason);
    }

    [Fact]
    public void Approved_AfterGrantEnd_IsRefused_EvenWhenNoTimerCompletedIt()
    {
        var request = Approved();

        var verdict = Evaluate(request, now: GrantEnd.AddHours(6));

        Assert.Equal(RequestStatus.Approved, request.Status);
        Assert.Equal(AccessDecisionReason.GrantEnded, verdict.Reason);
    }

    [Fact]
    public void OtherTenant_IsRefused()
    {
        var verdict = Evaluate(Approved(), Query(tenant: Northwind));

        Assert.Equal(AccessDecisionReason.WrongTenant, verdict.Reason);
    }

    [Fact]
    public void OtherEngineer_IsRefused()
    {
        var verdict = Evaluate(Approved(), Query(engineer: OtherEngineer.UserId));

        Assert.Equal(AccessDecisionReason.WrongEngineer, verdict.Reason);
    }

    [Theory]
    [InlineData("Exchange:mailbox/ana@contoso.com", true)]
    [InlineData("Exchange:mailbox/ana@contoso.com/inbox", true)]
    [InlineData("Exchange:mailbox/ana@contoso.com/inbox/2026", true)]
    [InlineData("Exchange:mailbox/ana@contoso.community", false)]
    [InlineData("Exchange:mailbox/ana@contoso.com.evil", false)]
    [InlineData("Exchange:mailbox/ana@contoso.co", false)]
    [InlineData("Exchange:mailbox", false)]
    [InlineData("Exchange:mailbox/bob@contoso.com", false)]
    [InlineData("Exchange:mailbox/ANA@contoso.com", false)]
    [InlineData("SharePoint:mailbox/ana@contoso.com", false)]
    [InlineData("exchange:mailbox/ana@contoso.com", false)]
    public void Scope_IsCoveredOnlyAtASlashBoundary_InTheSameWorkload(string wanted, bool allowed)
    {
        var verdict = Evaluate(Approved("Exchange:mailbox/ana@contoso.com"), Query(wanted));

        Assert.Equal(allowed ? AccessDecisionReason.Allowed : AccessDecisionReason.ScopeNotCovered, verdict.Reason);
    }

    [Theory]
    [InlineData(AccessLevel.ReadWrite, AccessLevel.Read, true)]
    [InlineData(AccessLevel.ReadWrite, AccessLevel.ReadWrite, true)]
    [InlineData(AccessLevel.Read, AccessLevel.Read, true)]
    [InlineData(AccessLevel.Read, AccessLevel.ReadWrite, false)]
    public void AccessLevel_ReadWriteCoversRead_ReadNeverCoversReadWrite(AccessLevel granted, AccessLevel wanted, bool allowed)
    {
        var verdict = Evaluate(Approved(level: granted), Query(level: wanted));

        Assert.Equal(allowed ? AccessDecisionReason.Allowed : AccessDecisionReason.AccessLevelNotCovered, verdict.Reason);
    }

    [Fact]
    public void RevokedGrant_IsRefused_FromTheInstantOfRevocation()
    {
        var request = Approved();
        var instant = GrantStart.AddMinutes(30);
        Assert.True(Evaluate(request, now: instant - Tick).IsAllowed);

        request.Revoke(Officer, "Incident closed.", instant);

        Assert.Equal(AccessDecisionReason.GrantRevoked, Evaluate(request, now: instant).Reason);
        Assert.Equal(AccessDecisionReason.GrantRevoked, Evaluate(request, now: instant - Tick).Reason);
        Assert.Equal(AccessDecisionReason.GrantRevoked, Evaluate(request, now: GrantEnd - Tick).Reason);
    }

    [Fact]
    public void ReleasedGrant_IsRefused_FromTheInstantOfRelease()
    {
        var request = Approved();
        var instant = GrantStart.AddMinutes(30);

        request.Release(Requester, instant);

        Assert.Equal(AccessDecisionReason.GrantEnded, Evaluate(request, now: instant).Reason);
        Assert.Equal(AccessDecisionReason.GrantEnded, Evaluate(request, now: GrantEnd - Tick).Reason);
    }

    [Fact]
    public void NoCandidates_IsRefused()
    {
        var verdict = AccessDecision.Evaluate(Query(), EngineerStanding.Engineer, [], Inside);

        Assert.Equal(AccessDecisionReason.NoMatchingRequest, verdict.Reason);
        Assert.Null(verdict.RequestId);
    }

    [Fact]
    public void SeveralCandidates_OneAllowing_IsEnough_WhateverItsPosition()
    {
        var allowing = Approved();
        AccessRequest[] others =
        [
            InState(RequestStatus.Revoked),
            InState(RequestStatus.PendingCustomer),
            Approved("Exchange:mailbox/bob@contoso.com"),
            Approved(tenant: Northwind),
        ];

        var first = AccessDecision.Evaluate(Query(), EngineerStanding.Engineer, [allowing, .. others], Inside);
        var last = AccessDecision.Evaluate(Query(), EngineerStanding.Engineer, [.. others, allowing], Inside);

        Assert.True(first.IsAllowed);
        Assert.True(last.IsAllowed);
        Assert.Equal(allowing.Id, first.RequestId);
        Assert.Equal(allowing.Id, last.RequestId);
    }

    /// <summary>Two refusing candidates and the reason that must be reported: that of the one that came closer to allowing.</summary>
    public static TheoryData<RequestStatus, string, RequestStatus, string, AccessDecisionReason> ClosestReason() => new()
    {
        // A request for another scope, and one for this scope still awaiting approval: report the wait.
        { RequestStatus.Approved, "Exchange:mailbox/bob@contoso.com", RequestStatus.PendingCustomer, DefaultScope, AccessDecisionReason.AwaitingApproval },
        // A rejected request, and one awaiting approval: report the wait.
        { RequestStatus.Rejected, DefaultScope, RequestStatus.PendingInternal, DefaultScope, AccessDecisionReason.AwaitingApproval },
        // A revoked grant, and one for another scope: report the revocation.
        { RequestStatus.Revoked, DefaultScope, RequestStatus.Approved, "SharePoint:sites/finance", AccessDecisionReason.GrantRevoked },
        // A cancelled request, and one for another scope: report that it is not approved.
        { RequestStatus.Cancelled, DefaultScope, RequestStatus.Approved, "Exchange:mailbox/bob@contoso.com", AccessDecisionReason.NotApproved },
    };

    [Theory]
    [MemberData(nameof(ClosestReason))]
    public void SeveralCandidates_NoneAllowing_ReportsTheClosestReason(
        RequestStatus firstStatus, string firstScope, RequestStatus secondStatus, string secondScope, AccessDecisionReason expected)
    {
        var first = InState(firstStatus, firstScope);
        var second = InState(secondStatus, secondScope);

        var forwards = AccessDecision.Evaluate(Query(), EngineerStanding.Engineer, [first, second], Inside);
        var backwards = AccessDecision.Evaluate(Query(), EngineerStanding.Engineer, [second, first], Inside);

        Assert.Equal(expected, forwards.Reason);
        Assert.Equal(expected, backwards.Reason);
        Assert.False(forwards.IsAllowed);
    }

    [Fact]
    public void SeveralCandidates_OtherEngineersGrantAndOwnExpiredGrant_IsRefusedAsEnded()
    {
        var othersGrant = AccessRequest.File(
            Guid.NewGuid(), "LBX-2026-000009", Contoso, OtherEngineer, ResourceScope.Parse(DefaultScope), AccessLevel.Read,
            "Customer reports missing calendar items.", null, GrantDuration, Features.Tenants.TenantPolicy.Default, FiledAt, reason: RequestReason.Maintenance);
        othersGrant.ApproveInternal(Manager, null, 1, InternalAt);
        othersGrant.ApproveCustomer(ApproverA, null, null, GrantStart.AddHours(3));

        // Inside the other engineer's window, after the end of this engineer's own grant.
        var verdict = AccessDecision.Evaluate(Query(), EngineerStanding.Engineer, [othersGrant, Approved()], GrantEnd.AddMinutes(30));

        Assert.Equal(AccessDecisionReason.GrantEnded, verdict.Reason);
    }

    /// <summary>DESIGN.md rule 10: an open grant allows nothing to an engineer who was deactivated or lost the Engineer role.</summary>
    [Theory]
    [InlineData(EngineerStanding.Deactivated, AccessDecisionReason.EngineerDeactivated)]
    [InlineData(EngineerStanding.NotAnEngineer, AccessDecisionReason.NotAnEngineer)]
    public void OffboardedEngineer_WithAnOpenGrant_IsRefused(EngineerStanding standing, AccessDecisionReason expected)
    {
        var verdict = AccessDecision.Evaluate(Query(), standing, [Approved()], Inside);

        Assert.False(verdict.IsAllowed);
        Assert.Equal(expected, verdict.Reason);
        Assert.True(AccessDecision.Evaluate(Query(), EngineerStanding.Engineer, [Approved()], Inside).IsAllowed, "the same grant allows an engineer in good standing");
    }
}
