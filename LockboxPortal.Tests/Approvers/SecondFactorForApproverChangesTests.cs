using LockboxPortal.Authorization;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ServiceHarness;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// DESIGN.md rule 12 beyond decisions: where a tenant requires two-factor sign-in, its policy and its delegations
/// change only from a sign-in proven with a second factor. A password-only session may still look, is told where to
/// enrol, the refusal is in the trail, and nothing changes. Turning the requirement off needs the factor too.
/// </summary>
public sealed class SecondFactorForApproverChangesTests
{
    [Fact]
    public async Task ChangePolicy_WithoutASecondFactor_IsRefused_SaysWhereToEnrol_AndChangesNothing()
    {
        await using var harness = await CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });
        var before = harness.CurrentPolicy(harness.Contoso);

        var refused = await Assert.ThrowsAsync<SecondFactorRequiredException>(() =>
            harness.ApproverList.ChangePolicyAsync(ContosoOfficer, harness.Contoso, before with { RequiredApprovals = 2 }));

        Assert.Contains(SecondFactorRequiredException.EnrolPath, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, harness.CurrentPolicy(harness.Contoso));
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Policy_Changed));
        var refusal = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused));
        Assert.Equal(Cast.ContosoOfficer, refusal.ActorId);
        Assert.Contains("second-factor-required", refusal.DetailsJson, StringComparison.Ordinal);
        Assert.Contains(nameof(ApproverOperations.ChangePolicy), refusal.DetailsJson, StringComparison.Ordinal);

        // Seeing the policy stays open to the password-only session.
        Assert.Equal(before, (await harness.ApproverQueries.GetTenantAsync(ContosoOfficer, harness.Contoso)).Policy);
    }

    [Fact]
    public async Task TurningTheRequirementOff_NeedsTheSecondFactor_WhileItIsOn()
    {
        await using var harness = await CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });
        var off = harness.CurrentPolicy(harness.Contoso) with { RequireTwoFactor = false };

        await Assert.ThrowsAsync<SecondFactorRequiredException>(() => harness.ApproverList.ChangePolicyAsync(ContosoOfficer, harness.Contoso, off));
        Assert.True(harness.CurrentPolicy(harness.Contoso).RequireTwoFactor);

        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(WithSecondFactor(Cast.ContosoOfficer), harness.Contoso, off));
        Assert.False(harness.CurrentPolicy(harness.Contoso).RequireTwoFactor);

        // Off again, the password alone changes the policy (and may turn the requirement on).
        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(ContosoOfficer, harness.Contoso, off with { RequiredApprovals = 2 }));
    }

    public static TheoryData<string, string, string> Delegators => new()
    {
        // name, who acts, whose authority is lent
        { "an approver lending their own", Cast.Approver1, Cast.Approver1 },
        { "an officer lending an approver's", Cast.ContosoOfficer, Cast.Approver1 },
    };

    [Theory]
    [MemberData(nameof(Delegators))]
    public async Task CreateDelegation_WithoutASecondFactor_IsRefused_WithOne_ItIsCreated(string name, string actorId, string delegatorId)
    {
        await using var harness = await CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });

        var refused = await Assert.ThrowsAsync<SecondFactorRequiredException>(() =>
            harness.DelegateAsync(As(actorId), delegatorId, Cast.ContosoAdminNotApprover));

        Assert.Contains(SecondFactorRequiredException.EnrolPath, refused.Message, StringComparison.Ordinal);
        await using (var db = harness.NewContext())
        {
            Assert.False(await db.Delegations.AnyAsync(), name);
        }

        var refusal = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused));
        Assert.Contains("second-factor-required", refusal.DetailsJson, StringComparison.Ordinal);

        var created = await harness.DelegateAsync(WithSecondFactor(actorId), delegatorId, Cast.ContosoAdminNotApprover);
        Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Created), e => e.SubjectId == created.Id.ToString());
    }

    [Fact]
    public async Task RevokeDelegation_WithoutASecondFactor_IsRefused_AndTheDelegationStillLends()
    {
        await using var harness = await CreateAsync();
        var delegation = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover);
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });

        await Assert.ThrowsAsync<SecondFactorRequiredException>(() => harness.Delegations.RevokeDelegationAsync(Approver1, delegation.Id));
        await Assert.ThrowsAsync<SecondFactorRequiredException>(() => harness.Delegations.RevokeDelegationAsync(ContosoOfficer, delegation.Id));
        await using (var db = harness.NewContext())
        {
            Assert.Null((await db.Delegations.AsNoTracking().SingleAsync(d => d.Id == delegation.Id)).RevokedAt);
        }

        var revoked = await harness.Delegations.RevokeDelegationAsync(WithSecondFactor(Cast.ContosoOfficer), delegation.Id);
        Assert.NotNull(revoked.RevokedAt);
    }

    [Fact]
    public async Task ATenantThatDoesNotRequireIt_ChangesPolicyAndDelegatesWithThePasswordAlone()
    {
        await using var harness = await CreateAsync();
        await harness.SetPolicyAsync(harness.Northwind, p => p with { RequireTwoFactor = true });

        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(ContosoOfficer, harness.Contoso, TenantPolicy.Default with { RequireTicketReference = true }));
        var delegation = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover);
        await harness.Delegations.RevokeDelegationAsync(Approver1, delegation.Id);
    }

    [Fact]
    public async Task ARefusalForAnotherReason_StaysThatRefusal()
    {
        await using var harness = await CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true });

        // Someone who may not change the policy at all is refused for that, not asked for a factor.
        await Assert.ThrowsAsync<ForbiddenException>(() =>
            harness.ApproverList.ChangePolicyAsync(Approver1, harness.Contoso, TenantPolicy.Default with { RequiredApprovals = 2 }));
        await Assert.ThrowsAsync<NotFoundException>(() =>
            harness.ApproverList.ChangePolicyAsync(As(Cast.NorthwindOfficer), harness.Contoso, TenantPolicy.Default with { RequiredApprovals = 2 }));
    }
}
