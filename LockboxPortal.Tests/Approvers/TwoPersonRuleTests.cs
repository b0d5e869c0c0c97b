using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using LockboxPortal.Tests.Notifications;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ServiceHarness;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// The two-person rule: with it on, a change to what Contoso's officers govern is a proposal that a second officer
/// approves or rejects; until then the old policy applies, the proposer cannot decide it, and the trail names both.
/// </summary>
public sealed partial class TwoPersonRuleTests
{
    /// <summary>Contoso's second security officer, added per test: the harness's cast has one.</summary>
    private const string OfficerB = "contoso-officer-b";

    private static readonly System.Security.Claims.ClaimsPrincipal OfficerA = ContosoOfficer;
    private static readonly System.Security.Claims.ClaimsPrincipal SecondOfficer = As(OfficerB);

    [Fact]
    public async Task QuorumThreeToOne_IsProposed_TheProposerCannotApprove_AndItAppliesOnlyWhenTheSecondOfficerApproves()
    {
        await using var harness = await RuleOnAsync(quorum: 3);

        Assert.Equal(ChangeOutcome.Proposed, await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequiredApprovals = 1 }));
        Assert.Equal(3, harness.CurrentPolicy(harness.Contoso).RequiredApprovals);
        var change = Assert.Single(await PendingAsync(harness, OfficerA)).Change;
        Assert.Equal(new ChangeLine("Required approvals", "3", "1"), Assert.Single(change.Lines));

        // The old policy applies meanwhile: a request reaching the approvers now needs three.
        var waiting = await harness.PendingCustomerAsync();
        Assert.Equal(3, waiting.RequiredApprovals);

        var own = await Assert.ThrowsAsync<OwnPolicyChangeException>(() => harness.ApproverList.ApprovePolicyChangeAsync(OfficerA, change.Id));
        Assert.Contains("cannot approve", own.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<OwnPolicyChangeException>(() => harness.ApproverList.RejectPolicyChangeAsync(OfficerA, change.Id));
        Assert.Equal(3, harness.CurrentPolicy(harness.Contoso).RequiredApprovals);
        Assert.Equal(2, (await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused)).Count(e => e.ActorId == Cast.ContosoOfficer && e.SubjectId == change.Id.ToString()));

        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, change.Id);

        Assert.Equal(1, harness.CurrentPolicy(harness.Contoso).RequiredApprovals);
        Assert.Empty(await PendingAsync(harness, OfficerA));
        var proposed = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.PolicyChange_Proposed));
        var approved = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.PolicyChange_Approved));
        var applied = (await harness.AuditOfTypeAsync(AuditEventType.Policy_Changed)).Last();
        Assert.Equal(Cast.ContosoOfficer, proposed.ActorId);
        Assert.Equal(OfficerB, approved.ActorId);
        Assert.Equal(Cast.ContosoOfficer, approved.Details().GetProperty("proposedBy").GetProperty("userId").GetString());
        Assert.Equal(OfficerB, applied.ActorId);
        Assert.Equal(Cast.ContosoOfficer, applied.Details().GetProperty("twoPerson").GetProperty("proposedBy").GetProperty("userId").GetString());
        Assert.Equal(3, applied.Details().GetProperty("before").GetProperty("requiredApprovals").GetInt32());
        Assert.Equal(1, applied.Details().GetProperty("after").GetProperty("requiredApprovals").GetInt32());
        Assert.True(proposed.Id < approved.Id && approved.Id < applied.Id);

        // Decided once: a second approval is told so.
        await Assert.ThrowsAsync<PolicyChangeClosedException>(() => harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, change.Id));
    }

    [Fact]
    public async Task TurningTheRuleOn_WithOneOfficer_IsRefused_AndSaysWhy()
    {
        await using var harness = await CreateAsync();

        var ex = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, TenantPolicy.Default with { RequireSecondOfficer = true }));

        var message = Assert.Single(ex.Errors[nameof(TenantPolicy.RequireSecondOfficer)]);
        Assert.Contains("needs two active security officers", message, StringComparison.Ordinal);
        Assert.Contains("only contoso-officer", message, StringComparison.Ordinal);
        Assert.False(harness.CurrentPolicy(harness.Contoso).RequireSecondOfficer);
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Policy_Changed));
    }

    [Fact]
    public async Task WithTheRuleOn_AndOneOfficerLeft_NothingCanBeProposedOrApproved_AndThePageSaysSo()
    {
        await using var harness = await RuleOnAsync();
        Assert.Equal(ChangeOutcome.Proposed, await harness.ApproverList.AddApproverAsync(SecondOfficer, harness.Contoso, Cast.ContosoAdminNotApprover));
        var change = Assert.Single(await PendingAsync(harness, OfficerA)).Change;
        await DeactivateAsync(harness, OfficerB);

        var gone = await Assert.ThrowsAsync<SecondOfficerMissingException>(() => harness.ApproverList.ApprovePolicyChangeAsync(OfficerA, change.Id));
        Assert.Contains("no longer an active security officer", gone.Message, StringComparison.Ordinal);
        var alone = await Assert.ThrowsAsync<SecondOfficerMissingException>(() =>
            harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequiredApprovals = 2 }));
        Assert.Contains("only active security officer", alone.Message, StringComparison.Ordinal);

        Assert.Equal(1, harness.CurrentPolicy(harness.Contoso).RequiredApprovals);
        Assert.False(await IsApproverAsync(harness, Cast.ContosoAdminNotApprover));
        var view = await harness.ApproverQueries.GetTenantAsync(OfficerA, harness.Contoso);
        Assert.Single(view.Officers);
        Assert.True(Assert.Single(view.PendingChanges).ProposerGone);

        // Rejecting what can no longer be approved clears it.
        await harness.ApproverList.RejectPolicyChangeAsync(OfficerA, change.Id);
        Assert.Empty((await harness.ApproverQueries.GetTenantAsync(OfficerA, harness.Contoso)).PendingChanges);
    }

    [Fact]
    public async Task TurningTheRuleOff_IsItselfAProposal_ForTheSecondOfficer()
    {
        await using var harness = await RuleOnAsync();

        Assert.Equal(ChangeOutcome.Proposed, await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequireSecondOfficer = false }));
        Assert.True(harness.CurrentPolicy(harness.Contoso).RequireSecondOfficer);
        var change = Assert.Single(await PendingAsync(harness, OfficerA)).Change;
        Assert.Equal([new ChangeLine("Two-person rule", "on", "off")], change.Lines);

        await harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, change.Id);

        Assert.False(harness.CurrentPolicy(harness.Contoso).RequireSecondOfficer);
        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequiredApprovals = 2 }));
    }

    [Fact]
    public async Task ListAndCatalogueChanges_AreProposed_AndApprovalAppliesExactlyWhatWasProposed()
    {
        await using var harness = await RuleOnAsync();

        Assert.Equal(ChangeOutcome.Proposed, await harness.ApproverList.AddApproverAsync(OfficerA, harness.Contoso, Cast.ContosoAdminNotApprover));
        Assert.Null(await harness.ApproverList.AddCatalogueEntryAsync(OfficerA, harness.Contoso, "Exchange:mailbox/*", AccessLevel.Read, TimeSpan.FromHours(2)));
        Assert.False(await IsApproverAsync(harness, Cast.ContosoAdminNotApprover));
        await using (var db = harness.NewContext())
        {
            Assert.False(await db.ScopeCatalogueEntries.AnyAsync(e => e.TenantId == harness.Contoso));
        }

        // Bad input is refused at once, beside its field, and proposes nothing.
        await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.AddApproverAsync(OfficerA, harness.Contoso, Cast.Approver1));

        var pending = await PendingAsync(harness, SecondOfficer);
        Assert.Equal(["Add contoso-admin to the approver list", "Add Exchange:mailbox/* to the scope catalogue"], pending.Select(p => p.Change.Title));
        Assert.Equal(new ChangeLine("Approver list", "approver1, approver2, approver3", "approver1, approver2, approver3, contoso-admin"), Assert.Single(pending[0].Lines));

        await harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, pending[0].Change.Id);
        Assert.True(await IsApproverAsync(harness, Cast.ContosoAdminNotApprover));

        // The approver list changed since the catalogue entry was proposed: approving it now is refused as stale.
        var stale = await Assert.ThrowsAsync<StalePolicyChangeException>(() => harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, pending[1].Change.Id));
        Assert.Contains("changed since this was proposed", stale.Message, StringComparison.Ordinal);
        Assert.True(Assert.Single((await harness.ApproverQueries.GetTenantAsync(OfficerA, harness.Contoso)).PendingChanges).Stale);
        await using (var db = harness.NewContext())
        {
            Assert.False(await db.ScopeCatalogueEntries.AnyAsync(e => e.TenantId == harness.Contoso));
        }

        await harness.ApproverList.WithdrawPolicyChangeAsync(OfficerA, pending[1].Change.Id);
        Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.PolicyChange_Withdrawn));
        Assert.Empty(await PendingAsync(harness, OfficerA));
    }

    [Fact]
    public async Task Withdraw_IsTheProposers_AndRejectTheOtherOfficers_EachAuditedWithItsActor()
    {
        await using var harness = await RuleOnAsync();
        await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequiredApprovals = 2 });
        await harness.ApproverList.ChangePolicyAsync(SecondOfficer, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequireTicketReference = true });
        var pending = await PendingAsync(harness, OfficerA);
        var byA = pending.Single(p => p.Change.ProposedById == Cast.ContosoOfficer).Change;
        var byB = pending.Single(p => p.Change.ProposedById == OfficerB).Change;

        await Assert.ThrowsAsync<NotTheProposerException>(() => harness.ApproverList.WithdrawPolicyChangeAsync(SecondOfficer, byA.Id));
        await harness.ApproverList.WithdrawPolicyChangeAsync(OfficerA, byA.Id);
        await harness.ApproverList.RejectPolicyChangeAsync(OfficerA, byB.Id);

        Assert.Equal(1, harness.CurrentPolicy(harness.Contoso).RequiredApprovals);
        Assert.False(harness.CurrentPolicy(harness.Contoso).RequireTicketReference);
        Assert.Equal(Cast.ContosoOfficer, Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.PolicyChange_Withdrawn)).ActorId);
        var rejected = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.PolicyChange_Rejected));
        Assert.Equal(Cast.ContosoOfficer, rejected.ActorId);
        Assert.Equal(OfficerB, rejected.Details().GetProperty("proposedBy").GetProperty("userId").GetString());
        await Assert.ThrowsAsync<PolicyChangeClosedException>(() => harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, byA.Id));
    }

    [Fact]
    public async Task AProposal_ExpiresAfterSevenDays_AndCannotBeApprovedThen()
    {
        await using var harness = await RuleOnAsync();
        await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequiredApprovals = 2 });
        var change = Assert.Single(await PendingAsync(harness, OfficerA)).Change;
        Assert.Equal(change.ProposedAt + TimeSpan.FromDays(7), change.ExpiresAt);

        harness.Time.Advance(TimeSpan.FromDays(7));

        Assert.Empty(await PendingAsync(harness, OfficerA));
        var ex = await Assert.ThrowsAsync<PolicyChangeClosedException>(() => harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, change.Id));
        Assert.Contains("expired", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.CurrentPolicy(harness.Contoso).RequiredApprovals);
    }

    public static TheoryData<string, string, Type?> DecideMatrix => new()
    {
        // who decides the change Contoso's first officer proposed, and how they are refused (null: allowed)
        { "the proposer", Cast.ContosoOfficer, typeof(OwnPolicyChangeException) },
        { "Contoso's other officer", OfficerB, null },
        { "a Contoso approver, not an officer", Cast.Approver1, typeof(ForbiddenException) },
        { "a Contoso admin not on the list", Cast.ContosoAdminNotApprover, typeof(ForbiddenException) },
        { "Northwind's officer", Cast.NorthwindOfficer, typeof(NotFoundException) },
        { "a provider admin", Cast.Admin, typeof(NotFoundException) },
    };

    [Theory]
    [MemberData(nameof(DecideMatrix))]
    public async Task Approve_IsForAnotherOfficerOfTheTenantOnly(string name, string actorId, Type? refusal)
    {
        await using var harness = await RuleOnAsync();
        var change = await ProposeQuorumTwoAsync(harness);

        var ex = await Record.ExceptionAsync(() => harness.ApproverList.ApprovePolicyChangeAsync(As(actorId), change.Id));

        Assert.True(ex?.GetType() == refusal, $"{name}: got {ex?.GetType().Name ?? "allowed"}");
        Assert.Equal(refusal is null ? 2 : 1, harness.CurrentPolicy(harness.Contoso).RequiredApprovals);
        Assert.Equal(refusal is null ? 0 : 1, (await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused)).Count);
    }

    [Theory]
    [MemberData(nameof(DecideMatrix))]
    public async Task Reject_IsForAnotherOfficerOfTheTenantOnly(string name, string actorId, Type? refusal)
    {
        await using var harness = await RuleOnAsync();
        var change = await ProposeQuorumTwoAsync(harness);

        var ex = await Record.ExceptionAsync(() => harness.ApproverList.RejectPolicyChangeAsync(As(actorId), change.Id));

        Assert.True(ex?.GetType() == refusal, $"{name}: got {ex?.GetType().Name ?? "allowed"}");
        Assert.Equal(refusal is null ? 0 : 1, (await PendingAsync(harness, OfficerA)).Count);
    }

    public static TheoryData<string, string, Type?> WithdrawMatrix => new()
    {
        { "the proposer", Cast.ContosoOfficer, null },
        { "Contoso's other officer", OfficerB, typeof(NotTheProposerException) },
        { "a Contoso approver, not an officer", Cast.Approver1, typeof(ForbiddenException) },
        { "Northwind's officer", Cast.NorthwindOfficer, typeof(NotFoundException) },
    };

    [Theory]
    [MemberData(nameof(WithdrawMatrix))]
    public async Task Withdraw_IsForTheProposerOnly(string name, string actorId, Type? refusal)
    {
        await using var harness = await RuleOnAsync();
        var change = await ProposeQuorumTwoAsync(harness);

        var ex = await Record.ExceptionAsync(() => harness.ApproverList.WithdrawPolicyChangeAsync(As(actorId), change.Id));

        Assert.True(ex?.GetType() == refusal, $"{name}: got {ex?.GetType().Name ?? "allowed"}");
        Assert.Equal(refusal is null ? 0 : 1, (await PendingAsync(harness, OfficerA)).Count);
    }

    [Fact]
    public async Task AnotherTenant_NeverSeesAProposal_AndAGuessedIdIsNotFound()
    {
        await using var harness = await RuleOnAsync();
        await ProposeQuorumTwoAsync(harness);

        await Assert.ThrowsAsync<NotFoundException>(() => harness.ApproverQueries.GetTenantAsync(As(Cast.NorthwindOfficer), harness.Contoso));
        Assert.Empty((await harness.ApproverQueries.GetTenantAsync(As(Cast.NorthwindOfficer), harness.Northwind)).PendingChanges);
        await Assert.ThrowsAsync<NotFoundException>(() => harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, Guid.NewGuid()));
    }

    [Fact]
    public async Task AProposal_IsEmailedToTheTenantsOtherOfficers_WithWhatItChanges()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await AddOfficerBAsync(harness);
        await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, TenantPolicy.Default with { RequireSecondOfficer = true });

        await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequiredApprovals = 3 });
        await email.DispatchAsync();

        var received = email.Received(ApproverListService.PolicyChangeProposedMessage);
        var message = Assert.Single(received.Values);
        Assert.Equal($"{OfficerB}@test", message.To);
        Assert.Contains("Required approvals", message.Message.TextBody, StringComparison.Ordinal);
        Assert.Contains("1 → 3", message.Message.TextBody, StringComparison.Ordinal);
    }

    /// <summary>Contoso with a second officer, the two-person rule on (applied: it was off) and the quorum given.</summary>
    private static async Task<ServiceHarness> RuleOnAsync(int quorum = 1)
    {
        var harness = await CreateAsync();
        await AddOfficerBAsync(harness);
        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso,
            TenantPolicy.Default with { RequiredApprovals = quorum, RequireSecondOfficer = true }));
        return harness;
    }

    private static Task AddOfficerBAsync(ServiceHarness harness) => AddOfficerAsync(harness, OfficerB);

    private static async Task<PolicyChange> ProposeQuorumTwoAsync(ServiceHarness harness)
    {
        Assert.Equal(ChangeOutcome.Proposed, await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, harness.CurrentPolicy(harness.Contoso) with { RequiredApprovals = 2 }));
        return Assert.Single(await PendingAsync(harness, OfficerA)).Change;
    }

    private static async Task<IReadOnlyList<PendingPolicyChange>> PendingAsync(ServiceHarness harness, System.Security.Claims.ClaimsPrincipal officer) =>
        (await harness.ApproverQueries.GetTenantAsync(officer, harness.Contoso)).PendingChanges;

    private static async Task<bool> IsApproverAsync(ServiceHarness harness, string userId)
    {
        await using var db = harness.NewContext();
        return await db.ApproverListEntries.AnyAsync(e => e.TenantId == harness.Contoso && e.UserId == userId);
    }

    private static async Task DeactivateAsync(ServiceHarness harness, string userId)
    {
        await using var db = harness.NewContext();
        var user = await db.Users.SingleAsync(u => u.Id == userId);
        user.IsActive = false;
        await db.SaveChangesAsync();
    }
}
