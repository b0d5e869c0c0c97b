using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;

namespace LockboxPortal.Tests.Approvers;

/// <summary>DESIGN.md rule 4 on the entity alone: who may delegate to whom, for which window, and how it ends.</summary>
public sealed class DelegationRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Actor Ana = new("ana", "Ana");
    private static readonly Actor Ben = new("ben", "Ben");
    private static readonly Actor Olga = new("olga", "Olga Officer");

    private static DelegationParties Parties(
        Actor? delegator = null, bool directApprover = true, bool activeDelegate = false, Actor? to = null, bool delegateIsAdmin = true) =>
        new(delegator ?? Ana, directApprover, activeDelegate, to ?? Ben, delegateIsAdmin);

    public static TheoryData<string, DelegationParties, Actor, double, double, string?, DelegationRule?> Cases => new()
    {
        // name, parties, created by, starts after (hours), lasts (hours), reason, expected refusal (null: allowed)
        { "an approver to another admin, now", Parties(), Ana, 0, 24, "Holiday", null },
        { "starting later", Parties(), Ana, 48, 24, "Holiday", null },
        { "exactly 30 days", Parties(), Ana, 0, 30 * 24, "Long leave", null },
        { "an officer on an approver's behalf", Parties(), Olga, 0, 24, "Holiday", null },
        { "to oneself", Parties(to: Ana), Ana, 0, 24, "Holiday", DelegationRule.ToSelf },
        { "by a delegate (a chain)", Parties(directApprover: false, activeDelegate: true), Ana, 0, 24, "Holiday", DelegationRule.DelegateCannotDelegate },
        { "by someone not on the list", Parties(directApprover: false), Ana, 0, 24, "Holiday", DelegationRule.DelegatorNotApprover },
        { "to a non-TenantAdmin or another tenant's user", Parties(delegateIsAdmin: false), Ana, 0, 24, "Holiday", DelegationRule.DelegateNotTenantAdmin },
        { "an officer to themselves", Parties(to: Olga), Olga, 0, 24, "Holiday", DelegationRule.OfficerToSelf },
        { "without a reason", Parties(), Ana, 0, 24, "  ", DelegationRule.ReasonRequired },
        { "starting in the past", Parties(), Ana, -1, 24, "Holiday", DelegationRule.StartsInPast },
        { "ending before it starts", Parties(), Ana, 2, -1, "Holiday", DelegationRule.EndsBeforeStart },
        { "longer than 30 days", Parties(), Ana, 0, 30 * 24 + 0.02, "Long leave", DelegationRule.TooLong },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Create_FollowsTheDelegationRules(string name, DelegationParties parties, Actor createdBy, double startsAfterHours, double lastsHours, string? reason, DelegationRule? refusal)
    {
        var start = Now.AddHours(startsAfterHours);
        var end = start.AddHours(lastsHours);

        var attempt = () => Delegation.Create(Guid.NewGuid(), Guid.NewGuid(), parties, startsAfterHours == 0 ? null : start, end, reason, createdBy, Now);

        if (refusal is { } rule)
        {
            var ex = Assert.Throws<DelegationRefusedException>(attempt);
            Assert.True(ex.Rule == rule, $"{name}: expected {rule}, got {ex.Rule}");
        }
        else
        {
            var delegation = attempt();
            Assert.Equal(start, delegation.StartsAt);
            Assert.Equal(createdBy.UserId, delegation.CreatedById);
        }
    }

    [Theory]
    [InlineData("before its window", -1, DelegationStatus.Upcoming, false)]
    [InlineData("at its start", 0, DelegationStatus.Active, true)]
    [InlineData("inside its window", 5, DelegationStatus.Active, true)]
    [InlineData("at its end", 10, DelegationStatus.Ended, false)]
    [InlineData("after its end", 11, DelegationStatus.Ended, false)]
    public void IsActiveAt_UsesTheStoredWindow(string name, double hoursAfterStart, DelegationStatus status, bool active)
    {
        var delegation = Delegation.Create(Guid.NewGuid(), Guid.NewGuid(), Parties(), Now.AddHours(1), Now.AddHours(11), "Holiday", Ana, Now);
        var at = Now.AddHours(1 + hoursAfterStart);

        Assert.True(delegation.StatusAt(at) == status, name);
        Assert.Equal(active, delegation.IsActiveAt(at));
    }

    [Fact]
    public void Revoke_EndsItAtOnce_AndASecondRevokeIsRefused()
    {
        var delegation = Delegation.Create(Guid.NewGuid(), Guid.NewGuid(), Parties(), null, Now.AddHours(8), "Holiday", Ana, Now);

        delegation.Revoke(Olga, Now.AddHours(1));

        Assert.False(delegation.IsActiveAt(Now.AddHours(1)));
        Assert.Equal(DelegationStatus.Revoked, delegation.StatusAt(Now.AddHours(2)));
        Assert.Equal("olga", delegation.RevokedById);
        Assert.Equal(DelegationStatus.Revoked, Assert.Throws<DelegationClosedException>(() => delegation.Revoke(Ben, Now.AddHours(2))).Status);
    }

    [Fact]
    public void Revoke_AfterTheWindowEnded_IsRefused()
    {
        var delegation = Delegation.Create(Guid.NewGuid(), Guid.NewGuid(), Parties(), null, Now.AddHours(8), "Holiday", Ana, Now);

        Assert.Equal(DelegationStatus.Ended, Assert.Throws<DelegationClosedException>(() => delegation.Revoke(Ana, Now.AddHours(8))).Status);
    }

    [Fact]
    public void Revoke_BeforeTheWindowStarts_IsAllowed()
    {
        var delegation = Delegation.Create(Guid.NewGuid(), Guid.NewGuid(), Parties(), Now.AddDays(1), Now.AddDays(2), "Holiday", Ana, Now);

        delegation.Revoke(Ben, Now);

        Assert.False(delegation.IsActiveAt(Now.AddDays(1.5)));
    }

    [Fact]
    public void RecordEnd_BeforeTheEnd_Throws()
    {
        var delegation = Delegation.Create(Guid.NewGuid(), Guid.NewGuid(), Parties(), null, Now.AddHours(8), "Holiday", Ana, Now);

        Assert.Throws<InvalidOperationException>(() => delegation.RecordEnd(Now.AddHours(7)));
        delegation.RecordEnd(Now.AddHours(8));
        Assert.Throws<InvalidOperationException>(() => delegation.RecordEnd(Now.AddHours(9)));
    }
}
