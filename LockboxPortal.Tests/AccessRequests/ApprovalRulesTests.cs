using LockboxPortal.Features.AccessRequests;
using static LockboxPortal.Tests.AccessRequests.RequestBuilder;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>DESIGN.md rules 2 (separation of duties), 3 (quorum and veto) and 6 (late decisions) on the entity.</summary>
public class ApprovalRulesTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly DateTimeOffset Soon = GrantStart.AddMinutes(5);

    // ---- separation of duties ----

    public static TheoryData<string, Action<AccessRequest>> SelfDecisions() => new()
    {
        { "internal approve by requester", r => r.ApproveInternal(Requester, "mine", 1, Soon) },
        { "internal deny by requester", r => r.DenyInternal(Requester, "changed my mind", Soon) },
        { "customer approve by requester", r => r.ApproveCustomer(Requester, null, "mine", Soon) },
        { "customer reject by requester", r => r.RejectCustomer(Requester, null, "changed my mind", Soon) },
        { "customer approve on behalf of requester", r => r.ApproveCustomer(ApproverA, Requester, "for Erin", Soon) },
        { "customer reject on behalf of requester", r => r.RejectCustomer(ApproverA, Requester, "for Erin", Soon) },
    };

    [Theory]
    [MemberData(nameof(SelfDecisions))]
    public void Decision_ByOrForTheRequester_IsRefused(string decision, Action<AccessRequest> decide)
    {
        var request = ForStage(decision);
        var status = request.Status;
        var version = request.Version;
        var decisions = request.Decisions.Count;

        Assert.Throws<SelfApprovalException>(() => decide(request));

        Assert.Equal(status, request.Status);
        Assert.Equal(version, request.Version);
        Assert.Equal(decisions, request.Decisions.Count);
    }

    [Fact]
    public void ApproveInternal_ByRequesterWhoIsAlsoAManager_IsRefused()
    {
        // A manager files for themselves: the manager role does not lift separation of duties.
        var request = AccessRequest.File(
            Guid.NewGuid(), "LBX-2026-000002", Contoso, Manager, ResourceScope.Parse(DefaultScope), AccessLevel.Read,
            "Checking a mailbox for a customer ticket.", null, GrantDuration, Features.Tenants.TenantPolicy.Default, FiledAt, reason: RequestReason.Maintenance);

        Assert.Throws<SelfApprovalException>(() => request.ApproveInternal(Manager, null, 1, InternalAt));
        Assert.Equal(RequestStatus.PendingInternal, request.Status);
    }

    // ---- deadlines ----

    public static TheoryData<string, Action<AccessRequest, DateTimeOffset>> Decisions() => new()
    {
        { "internal approve", (r, now) => r.ApproveInternal(Manager, "ok", 1, now) },
        { "internal deny", (r, now) => r.DenyInternal(Manager, "no case", now) },
        { "customer approve", (r, now) => r.ApproveCustomer(ApproverA, null, "ok", now) },
        { "customer reject", (r, now) => r.RejectCustomer(ApproverA, null, "no", now) },
    };

    private static AccessRequest ForStage(string decision) =>
        decision.StartsWith("internal", StringComparison.Ordinal) ? Filed() : PendingCustomer();

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Decision_ExactlyAtTheDeadline_IsRefused(string decision, Action<AccessRequest, DateTimeOffset> decide)
    {
        var request = ForStage(decision);
        var status = request.Status;
        var version = request.Version;

        var ex = Assert.Throws<DeadlinePassedException>(() => decide(request, Deadline));

        Assert.Equal(Deadline, ex.Deadline);
        Assert.Equal(status, request.Status);
        Assert.Equal(version, request.Version);
        Assert.Null(request.GrantEndsAt);
    }

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Decision_AfterTheDeadline_IsRefused(string decision, Action<AccessRequest, DateTimeOffset> decide)
    {
        var request = ForStage(decision);
        var status = request.Status;
        var decisions = request.Decisions.Count;

        Assert.Throws<DeadlinePassedException>(() => decide(request, Deadline + Tick));
        Assert.Throws<DeadlinePassedException>(() => decide(request, Deadline.AddDays(3)));

        Assert.Equal(status, request.Status);
        Assert.Equal(decisions, request.Decisions.Count);
    }

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Decision_OneTickBeforeTheDeadline_IsApplied(string decision, Action<AccessRequest, DateTimeOffset> decide)
    {
        var request = ForStage(decision);
        var status = request.Status;

        decide(request, Deadline - Tick);

        Assert.NotEqual(status, request.Status);
    }

    [Theory]
    [InlineData(RequestStatus.PendingInternal)]
    [InlineData(RequestStatus.PendingCustomer)]
    public void Expire_OneTickBeforeTheDeadline_IsRefused(RequestStatus status)
    {
        var request = InState(status);
        var version = request.Version;

        Assert.Throws<DeadlineNotReachedException>(() => request.Expire(Deadline - Tick));

        Assert.Equal(status, request.Status);
        Assert.Equal(version, request.Version);
    }

    [Theory]
    [InlineData(RequestStatus.PendingInternal)]
    [InlineData(RequestStatus.PendingCustomer)]
    public void Expire_AtTheDeadline_Expires(RequestStatus status)
    {
        var request = InState(status);

        request.Expire(Deadline);

        Assert.Equal(RequestStatus.Expired, request.Status);
        Assert.Equal(Deadline, request.ClosedAt);
    }

    [Fact]
    public void Cancel_AfterTheDeadline_IsRefused()
    {
        var request = PendingCustomer();

        Assert.Throws<DeadlinePassedException>(() => request.Cancel(Requester, Deadline));
        Assert.Equal(RequestStatus.PendingCustomer, request.Status);
    }

    [Fact]
    public void Complete_OneTickBeforeGrantEnd_IsRefused()
    {
        var request = Approved();

        Assert.Throws<DeadlineNotReachedException>(() => request.Complete(GrantEnd - Tick));
        Assert.Equal(RequestStatus.Approved, request.Status);

        request.Complete(GrantEnd);
        Assert.Equal(RequestStatus.Completed, request.Status);
    }

    [Fact]
    public void Revoke_AtGrantEnd_IsRefused()
    {
        var request = Approved();

        Assert.Throws<DeadlinePassedException>(() => request.Revoke(Officer, "late", GrantEnd));
        Assert.Equal(RequestStatus.Approved, request.Status);
        Assert.Equal(GrantEnd, request.GrantEndsAt);
    }

    [Fact]
    public void Revoke_And_Release_EndTheGrantAtThatInstant()
    {
        var revoked = Approved();
        var released = Approved();
        var instant = GrantStart.AddMinutes(42);

        revoked.Revoke(Officer, "Incident closed.", instant);
        released.Release(Requester, instant);

        Assert.Equal(instant, revoked.GrantEndsAt);
        Assert.Equal(instant, released.GrantEndsAt);
    }

    [Fact]
    public void Release_ByAnotherEngineer_IsRefused()
    {
        var request = Approved();

        Assert.Throws<NotRequesterException>(() => request.Release(OtherEngineer, Soon));
        Assert.Equal(RequestStatus.Approved, request.Status);
    }

    [Fact]
    public void Cancel_ByAnotherEngineer_IsRefused()
    {
        var request = PendingCustomer();

        Assert.Throws<NotRequesterException>(() => request.Cancel(OtherEngineer, Soon));
        Assert.Equal(RequestStatus.PendingCustomer, request.Status);
    }

    // ---- one person counts once ----

    /// <summary>First approval, then a second one by someone whose person is already counted.</summary>
    public static TheoryData<Actor, Actor?, Actor, Actor?> CountedTwice() => new()
    {
        { ApproverA, null, ApproverA, null },           // the same approver twice
        { ApproverB, ApproverA, ApproverA, null },      // delegate B on behalf of A, then A
        { ApproverA, null, ApproverB, ApproverA },      // A, then delegate B on behalf of A
        { ApproverB, ApproverA, ApproverB, null },      // B on behalf of A, then B for themselves
        { ApproverA, null, ApproverA, ApproverC },      // A, then A again as delegate of C
        { ApproverB, ApproverA, ApproverB, ApproverA }, // B on behalf of A, twice
    };

    [Theory]
    [MemberData(nameof(CountedTwice))]
    public void ApproveCustomer_BySomeoneAlreadyCounted_IsRefused(Actor first, Actor? firstFor, Actor second, Actor? secondFor)
    {
        var request = PendingCustomer(requiredApprovals: 2);
        request.ApproveCustomer(first, firstFor, null, Soon);
        var version = request.Version;

        Assert.Throws<AlreadyCountedException>(() => request.ApproveCustomer(second, secondFor, null, Soon.AddMinutes(1)));

        Assert.Equal(RequestStatus.PendingCustomer, request.Status);
        Assert.Single(request.CustomerApprovals);
        Assert.Equal(version, request.Version);
        Assert.Null(request.GrantEndsAt);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ApproveCustomer_ReachesQuorum_OnlyWithTheRequiredNumberOfDistinctPeople(int required)
    {
        var request = PendingCustomer(requiredApprovals: required);
        Actor[] approvers = [ApproverA, ApproverB, ApproverC];

        for (var i = 0; i < required - 1; i++)
        {
            request.ApproveCustomer(approvers[i], null, null, Soon.AddMinutes(i));
            Assert.Equal(RequestStatus.PendingCustomer, request.Status);
            Assert.Null(request.GrantStartsAt);
        }

        request.ApproveCustomer(approvers[required - 1], null, null, Soon.AddMinutes(required));

        Assert.Equal(RequestStatus.Approved, request.Status);
        Assert.Equal(required, request.CustomerApprovals.Count);
        Assert.Equal(Soon.AddMinutes(required), request.GrantStartsAt);
    }

    [Fact]
    public void ApproveCustomer_RepeatedBySamePerson_NeverReachesAQuorumOfTwo()
    {
        var request = PendingCustomer(requiredApprovals: 2);
        request.ApproveCustomer(ApproverA, null, null, Soon);

        Assert.Throws<AlreadyCountedException>(() => request.ApproveCustomer(ApproverA, null, null, Soon));
        Assert.Throws<AlreadyCountedException>(() => request.ApproveCustomer(ApproverB, ApproverA, null, Soon));

        Assert.Equal(RequestStatus.PendingCustomer, request.Status);
    }

    [Fact]
    public void ApproveCustomer_DelegateForAnotherApprover_CountsTowardQuorumWithAThirdPerson()
    {
        var request = PendingCustomer(requiredApprovals: 2);

        request.ApproveCustomer(ApproverB, ApproverA, null, Soon);
        Assert.Equal(RequestStatus.PendingCustomer, request.Status);
        request.ApproveCustomer(ApproverC, null, null, Soon);

        Assert.Equal(RequestStatus.Approved, request.Status);
        Assert.Equal("Ben Approver on behalf of Ana Approver", request.CustomerApprovals[0].DescribeDecider());
    }

    [Fact]
    public void ApproveInternal_FixesTheRequiredApprovals_AndRefusesFewerThanOne()
    {
        var request = Filed();

        Assert.Throws<ArgumentOutOfRangeException>(() => request.ApproveInternal(Manager, null, 0, InternalAt));
        Assert.Equal(RequestStatus.PendingInternal, request.Status);

        request.ApproveInternal(Manager, null, 3, InternalAt);
        Assert.Equal(3, request.RequiredApprovals);
    }

    // ---- veto and reasons ----

    [Fact]
    public void RejectCustomer_AfterPartialApprovals_VetoesTheRequest()
    {
        var request = PendingCustomer(requiredApprovals: 3);
        request.ApproveCustomer(ApproverA, null, null, Soon);
        request.ApproveCustomer(ApproverB, null, null, Soon);

        request.RejectCustomer(ApproverC, null, "Not during the audit.", Soon);

        Assert.Equal(RequestStatus.Rejected, request.Status);
        Assert.Null(request.GrantStartsAt);
        Assert.Null(request.GrantEndsAt);
        Assert.Equal("Not during the audit.", request.ClosedReason);
        var ex = Assert.Throws<InvalidTransitionException>(() => request.ApproveCustomer(ApproverC, null, null, Soon));
        Assert.Equal("already-decided", ex.Code);
    }

    [Fact]
    public void RejectCustomer_BySomeoneWhoAlreadyApproved_StillVetoes()
    {
        var request = PendingCustomer(requiredApprovals: 2);
        request.ApproveCustomer(ApproverA, null, null, Soon);

        request.RejectCustomer(ApproverA, null, "On second thought, no.", Soon);

        Assert.Equal(RequestStatus.Rejected, request.Status);
    }

    public static TheoryData<string, string?> MissingReasons() => new()
    {
        { "internal deny", null },
        { "internal deny", "" },
        { "internal deny", "   " },
        { "customer reject", null },
        { "customer reject", "" },
        { "customer reject", "\t\n" },
        { "revoke", null },
        { "revoke", " " },
    };

    [Theory]
    [MemberData(nameof(MissingReasons))]
    public void DenyRejectRevoke_WithoutAReason_AreRefused(string action, string? reason)
    {
        var request = action switch
        {
            "internal deny" => Filed(),
            "customer reject" => PendingCustomer(),
            _ => Approved(),
        };
        var status = request.Status;
        var version = request.Version;
        var decisions = request.Decisions.Count;
        Action act = action switch
        {
            "internal deny" => () => request.DenyInternal(Manager, reason, Soon),
            "customer reject" => () => request.RejectCustomer(ApproverA, null, reason, Soon),
            _ => () => request.Revoke(Officer, reason, Soon),
        };

        var ex = Assert.Throws<InvalidInputException>(act);

        Assert.Contains("Reason", ex.Errors.Keys);
        Assert.Equal(status, request.Status);
        Assert.Equal(version, request.Version);
        Assert.Equal(decisions, request.Decisions.Count);
    }

    [Fact]
    public void Reject_WithAReasonOverTheLimit_IsRefused()
    {
        var request = PendingCustomer();

        var ex = Assert.Throws<InvalidInputException>(
            () => request.RejectCustomer(ApproverA, null, new string('x', AccessRequest.CommentMaxLength + 1), Soon));

        Assert.Contains("Comment", ex.Errors.Keys);
        Assert.Equal(RequestStatus.PendingCustomer, request.Status);
    }
}
