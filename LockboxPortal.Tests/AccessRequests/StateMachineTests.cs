using LockboxPortal.Features.AccessRequests;
using static LockboxPortal.Tests.AccessRequests.RequestBuilder;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>Every state against every action: the state diagram of DESIGN.md "The access request", and nothing more.</summary>
public class StateMachineTests
{
    /// <summary>
    /// The allowed transitions, copied by hand from DESIGN.md's diagram (not derived from the code under test), and
    /// escalation (issue 14), which adds deciders to a request awaiting the customer without changing its state.
    /// Every pair not listed here must be refused.
    /// </summary>
    private static readonly IReadOnlyDictionary<(RequestStatus From, RequestAction Action), RequestStatus> Allowed = new Dictionary<(RequestStatus From, RequestAction Action), RequestStatus>
    {
        [(RequestStatus.PendingInternal, RequestAction.ApproveInternal)] = RequestStatus.PendingCustomer, // manager approves
        [(RequestStatus.PendingInternal, RequestAction.DenyInternal)] = RequestStatus.Denied,             // manager denies
        [(RequestStatus.PendingInternal, RequestAction.Cancel)] = RequestStatus.Cancelled,                // requester cancels
        [(RequestStatus.PendingInternal, RequestAction.Expire)] = RequestStatus.Expired,                  // deadline passes
        [(RequestStatus.PendingCustomer, RequestAction.ApproveCustomer)] = RequestStatus.Approved,        // quorum (1) reached
        [(RequestStatus.PendingCustomer, RequestAction.RejectCustomer)] = RequestStatus.Rejected,         // any approver rejects
        [(RequestStatus.PendingCustomer, RequestAction.Cancel)] = RequestStatus.Cancelled,                // requester cancels
        [(RequestStatus.PendingCustomer, RequestAction.Expire)] = RequestStatus.Expired,                  // deadline passes
        [(RequestStatus.PendingCustomer, RequestAction.Escalate)] = RequestStatus.PendingCustomer,        // undecided for N hours
        [(RequestStatus.Approved, RequestAction.Complete)] = RequestStatus.Completed,                     // grant end reached
        [(RequestStatus.Approved, RequestAction.Revoke)] = RequestStatus.Revoked,                         // approver/officer revokes
        [(RequestStatus.Approved, RequestAction.Release)] = RequestStatus.Completed,                      // engineer releases
        [(RequestStatus.Approved, RequestAction.Extend)] = RequestStatus.Approved,                        // an extension reached its quorum
    };

    /// <summary>Before the pending deadline and inside the grant window of <see cref="RequestBuilder.Approved"/>.</summary>
    private static readonly DateTimeOffset BeforeDeadlines = GrantStart.AddMinutes(5);

    /// <summary>Past both the pending deadline and the grant end.</summary>
    private static readonly DateTimeOffset PastDeadlines = Deadline.AddHours(1);

    public static TheoryData<RequestStatus, RequestAction> EveryPair()
    {
        var data = new TheoryData<RequestStatus, RequestAction>();
        foreach (var status in Enum.GetValues<RequestStatus>())
        {
            foreach (var action in Enum.GetValues<RequestAction>())
            {
                data.Add(status, action);
            }
        }

        return data;
    }

    [Fact]
    public void Table_CoversTenStatesByElevenActions()
    {
        // If a state or action is added, the diagram and this table must be revisited.
        Assert.Equal(10, Enum.GetValues<RequestStatus>().Length);
        Assert.Equal(11, Enum.GetValues<RequestAction>().Length);
        Assert.Equal(110, EveryPair().Count());
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Action_InEachState_MovesAlongTheDiagramOrIsRefused(RequestStatus from, RequestAction action)
    {
        var request = InState(from);
        var version = request.Version;
        var decisions = request.Decisions.Count;
        var grantEndsAt = request.GrantEndsAt;

        if (Allowed.TryGetValue((from, action), out var target))
        {
            Apply(request, action);

            Assert.Equal(target, request.Status);
            Assert.NotEqual(version, request.Version);
        }
        else
        {
            var ex = Assert.Throws<InvalidTransitionException>(() => Apply(request, action));

            Assert.Equal(from, ex.Status);
            Assert.Equal(action, ex.Action);
            Assert.Equal(from, request.Status);
            Assert.Equal(version, request.Version);
            Assert.Equal(decisions, request.Decisions.Count);
            Assert.Equal(grantEndsAt, request.GrantEndsAt);
        }
    }

    public static TheoryData<RequestStatus, RequestAction> EveryActionOnAFinalState()
    {
        RequestStatus[] final = [RequestStatus.Denied, RequestStatus.Rejected, RequestStatus.Cancelled, RequestStatus.Expired, RequestStatus.Completed, RequestStatus.Revoked, RequestStatus.Extended];
        var data = new TheoryData<RequestStatus, RequestAction>();
        foreach (var status in final)
        {
            foreach (var action in Enum.GetValues<RequestAction>())
            {
                data.Add(status, action);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryActionOnAFinalState))]
    public void Action_OnFinalState_IsRefusedAsAlreadyDecided(RequestStatus final, RequestAction action)
    {
        var request = InState(final);

        var ex = Assert.Throws<InvalidTransitionException>(() => Apply(request, action));

        Assert.Equal("already-decided", ex.Code);
    }

    /// <summary>Rule 6: the loser of two concurrent decisions hears "already decided", also when the winner moved the request on.</summary>
    [Theory]
    [InlineData(RequestStatus.PendingCustomer, RequestAction.ApproveInternal, "already-decided")]
    [InlineData(RequestStatus.PendingCustomer, RequestAction.DenyInternal, "already-decided")]
    [InlineData(RequestStatus.Approved, RequestAction.ApproveInternal, "already-decided")]
    [InlineData(RequestStatus.Approved, RequestAction.DenyInternal, "already-decided")]
    [InlineData(RequestStatus.Approved, RequestAction.ApproveCustomer, "already-decided")]
    [InlineData(RequestStatus.Approved, RequestAction.RejectCustomer, "already-decided")]
    [InlineData(RequestStatus.PendingInternal, RequestAction.ApproveCustomer, "invalid-transition")]
    [InlineData(RequestStatus.PendingInternal, RequestAction.RejectCustomer, "invalid-transition")]
    [InlineData(RequestStatus.PendingInternal, RequestAction.Revoke, "invalid-transition")]
    [InlineData(RequestStatus.PendingCustomer, RequestAction.Release, "invalid-transition")]
    [InlineData(RequestStatus.PendingCustomer, RequestAction.Complete, "invalid-transition")]
    [InlineData(RequestStatus.Approved, RequestAction.Cancel, "invalid-transition")]
    [InlineData(RequestStatus.Approved, RequestAction.Expire, "invalid-transition")]
    public void RefusedAction_OnAnOpenRequest_SaysWhetherItsStageWasAlreadyDecided(RequestStatus from, RequestAction action, string code)
    {
        var request = InState(from);

        var ex = Assert.Throws<InvalidTransitionException>(() => Apply(request, action));

        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public void Filed_StartsPendingInternal_WithDeadlineFromPolicy()
    {
        var request = Filed();

        Assert.Equal(RequestStatus.PendingInternal, request.Status);
        Assert.Equal(Deadline, request.ExpiresAt);
        Assert.Null(request.GrantStartsAt);
        Assert.Null(request.GrantEndsAt);
        Assert.Empty(request.Decisions);
    }

    [Fact]
    public void ApproveCustomer_ReachingQuorum_OpensGrantForRequestedDuration()
    {
        var request = PendingCustomer();

        request.ApproveCustomer(ApproverA, null, null, BeforeDeadlines);

        Assert.Equal(BeforeDeadlines, request.GrantStartsAt);
        Assert.Equal(BeforeDeadlines + GrantDuration, request.GrantEndsAt);
    }

    [Fact]
    public void Escalate_HappensAtItsMoment_NotOneTickBefore_AndOnlyOnce()
    {
        var request = PendingCustomer();
        Assert.Equal(EscalatesAt, request.EscalatesAt);
        var version = request.Version;

        Assert.Throws<DeadlineNotReachedException>(() => request.Escalate(EscalatesAt - TimeSpan.FromTicks(1)));
        Assert.Equal(((DateTimeOffset?)null, version), (request.EscalatedAt, request.Version));

        request.Escalate(EscalatesAt);
        Assert.Equal((RequestStatus.PendingCustomer, EscalatesAt), (request.Status, request.EscalatedAt));
        Assert.NotEqual(version, request.Version);

        Assert.Throws<InvalidTransitionException>(() => request.Escalate(EscalatesAt.AddMinutes(1)));
        Assert.Equal(EscalatesAt, request.EscalatedAt);
    }

    [Fact]
    public void Escalate_AfterTheDeadline_IsRefused()
    {
        var request = PendingCustomer();

        Assert.Throws<DeadlinePassedException>(() => request.Escalate(Deadline));
        Assert.Null(request.EscalatedAt);
    }

    [Fact]
    public void ARequestWithoutEscalation_OrWhoseMomentFallsAtTheDeadline_HasNoneToApply()
    {
        var none = Filed();
        none.ApproveInternal(Manager, "ok", 1, InternalAt);
        var tooLate = Filed();
        tooLate.ApproveInternal(Manager, "ok", 1, InternalAt, Deadline - InternalAt);

        Assert.Null(none.EscalatesAt);
        Assert.Null(tooLate.EscalatesAt);
        Assert.Throws<InvalidTransitionException>(() => none.Escalate(Deadline.AddMinutes(-1)));
        Assert.Throws<InvalidTransitionException>(() => tooLate.Escalate(Deadline.AddMinutes(-1)));
    }

    /// <summary>Applies an action with valid arguments: a decider other than the requester, the requester for cancel and release.</summary>
    private static void Apply(AccessRequest request, RequestAction action)
    {
        switch (action)
        {
            case RequestAction.ApproveInternal:
                request.ApproveInternal(Manager, "ok", 1, BeforeDeadlines);
                break;
            case RequestAction.DenyInternal:
                request.DenyInternal(Manager, "No open support case.", BeforeDeadlines);
                break;
            case RequestAction.ApproveCustomer:
                request.ApproveCustomer(ApproverB, null, "fine", BeforeDeadlines);
                break;
            case RequestAction.RejectCustomer:
                request.RejectCustomer(ApproverB, null, "Not now.", BeforeDeadlines);
                break;
            case RequestAction.Cancel:
                request.Cancel(Requester, BeforeDeadlines);
                break;
            case RequestAction.Expire:
                request.Expire(PastDeadlines);
                break;
            case RequestAction.Revoke:
                request.Revoke(Officer, "Incident closed.", BeforeDeadlines);
                break;
            case RequestAction.Extend:
                // Only a running grant has an extension of its own; any other state refuses before looking at it.
                var extension = ApprovedExtensionOf(request.Status == RequestStatus.Approved ? request : Approved());
                request.ExtendGrant(extension, Features.Tenants.TenantPolicy.Default, BeforeDeadlines);
                break;
            case RequestAction.Release:
                request.Release(Requester, BeforeDeadlines);
                break;
            case RequestAction.Complete:
                request.Complete(PastDeadlines);
                break;
            case RequestAction.Escalate:
                request.Escalate(BeforeDeadlines);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, null);
        }
    }
}
