using LockboxPortal.Features.AccessRequests;
using static LockboxPortal.Tests.AccessRequests.RequestBuilder;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// Whose authority a customer-stage decision uses (<see cref="AccessRequest.CountsFor"/>): the request alone decides it,
/// from the approvals it already holds, so one person counts once however they hold their authority.
/// </summary>
public sealed class CountsForTests
{
    /// <summary>Approvals already given (approver, on behalf of), then who decides next with which authority, and whom it counts for.</summary>
    public static TheoryData<string, (Actor, Actor?)[], Actor, bool, Actor[], Actor?> Cases() => new()
    {
        { "on the list, nothing counted yet: for themselves", [], ApproverB, true, [ApproverA], null },
        { "on the list, counted already: for the first uncounted delegator", [(ApproverB, null)], ApproverB, true, [ApproverA, ApproverC], ApproverA },
        { "a delegate only: for the first delegator", [], ApproverB, false, [ApproverA, ApproverC], ApproverA },
        { "a delegate whose first delegator is counted: for the next one", [(ApproverA, null)], ApproverB, false, [ApproverA, ApproverC], ApproverC },
        { "a delegate whose every delegator is counted: the first, so the decision is refused", [(ApproverA, null)], ApproverB, false, [ApproverA], ApproverA },
        { "on the list and every delegator counted: for themselves again, so the decision is refused", [(ApproverB, ApproverA)], ApproverB, true, [ApproverA], null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CountsFor_PicksTheFirstAuthorityNotYetCounted(string because, (Actor, Actor?)[] given, Actor next, bool onList, Actor[] delegators, Actor? expected)
    {
        var request = PendingCustomer(requiredApprovals: 3);
        foreach (var (approver, onBehalfOf) in given)
        {
            request.ApproveCustomer(approver, onBehalfOf, null, InternalAt.AddMinutes(1));
        }

        Assert.True(expected?.UserId == request.CountsFor(next, onList, delegators)?.UserId, because);
    }

    [Fact]
    public void CountsFor_AnApproverCountedTwiceOver_IsRefusedAsAlreadyCounted()
    {
        var request = PendingCustomer(requiredApprovals: 2);
        request.ApproveCustomer(ApproverB, ApproverA, null, InternalAt.AddMinutes(1));

        var onBehalfOf = request.CountsFor(ApproverB, onApproverList: true, [ApproverA]);

        Assert.Throws<AlreadyCountedException>(() => request.ApproveCustomer(ApproverB, onBehalfOf, null, InternalAt.AddMinutes(2)));
        Assert.Single(request.CustomerApprovals);
    }

    [Fact]
    public void CountsFor_WithoutAnyAuthority_Throws()
    {
        var request = PendingCustomer();

        Assert.Throws<ArgumentException>(() => request.CountsFor(ApproverB, onApproverList: false, []));
    }
}
