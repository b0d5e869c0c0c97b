using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using LockboxPortal.Tests.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// Who the officers are is governed too: under the two-person rule one officer can neither appoint a second of his
/// own nor take the other away, by any path; a lone officer left by a deactivation can appoint a second.
/// </summary>
public sealed partial class TwoPersonRuleTests
{
    private const string OfficerC = "contoso-officer-c";

    [Fact]
    public async Task GivingTheOfficerRole_IsProposed_TheProposerCannotApprove_AndItAppliesWhenTheSecondOfficerApproves()
    {
        await using var harness = await RuleOnAsync();
        var people = harness.People();

        Assert.Equal(ChangeOutcome.Proposed, await people.GrantRoleAsync(OfficerA, Cast.ContosoAdminNotApprover, harness.Contoso, PortalRole.SecurityOfficer));
        Assert.False(await IsOfficerAsync(harness, Cast.ContosoAdminNotApprover));
        var change = Assert.Single(await PendingAsync(harness, OfficerA)).Change;
        Assert.Equal("Make contoso-admin a security officer", change.Title);
        Assert.Equal([new ChangeLine("Security officers", "contoso-officer, contoso-officer-b", "contoso-admin, contoso-officer, contoso-officer-b")], change.Lines);
        await Assert.ThrowsAsync<OwnPolicyChangeException>(() => harness.ApproverList.ApprovePolicyChangeAsync(OfficerA, change.Id));
        Assert.False(await IsOfficerAsync(harness, Cast.ContosoAdminNotApprover));

        await harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, change.Id);

        Assert.True(await IsOfficerAsync(harness, Cast.ContosoAdminNotApprover));
        var granted = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Membership_Granted));
        Assert.Equal(OfficerB, granted.ActorId);
        Assert.Equal(Cast.ContosoAdminNotApprover, granted.SubjectId);
        Assert.Equal(harness.Contoso, granted.TenantId);
        Assert.Equal(Cast.ContosoOfficer, granted.Details().GetProperty("twoPerson").GetProperty("proposedBy").GetProperty("userId").GetString());
    }

    [Fact]
    public async Task TakingTheOfficerRoleAway_IsProposed_AndNoApprovalLeavesTheRuleWithOneOfficer()
    {
        await using var harness = await RuleOnAsync();
        await AddOfficerAsync(harness, OfficerC);
        var people = harness.People();

        Assert.Equal(ChangeOutcome.Proposed, await people.RemoveRoleAsync(OfficerA, OfficerC, harness.Contoso, PortalRole.SecurityOfficer));
        Assert.True(await IsOfficerAsync(harness, OfficerC));
        var change = Assert.Single(await PendingAsync(harness, OfficerA)).Change;
        await harness.ApproverList.ApprovePolicyChangeAsync(SecondOfficer, change.Id);
        Assert.False(await IsOfficerAsync(harness, OfficerC));
        var removed = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Membership_Removed));
        Assert.Equal((OfficerB, OfficerC), (removed.ActorId, removed.SubjectId));

        // Two are left: taking either away would leave the rule with nobody to approve, so it is not even proposed.
        var refused = await Assert.ThrowsAsync<PeopleRuleException>(() => people.RemoveRoleAsync(OfficerA, OfficerB, harness.Contoso, PortalRole.SecurityOfficer));
        Assert.Contains("needs two active security officers", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await PendingAsync(harness, OfficerA));
        Assert.True(await IsOfficerAsync(harness, OfficerB));
    }

    [Fact]
    public async Task AnotherOfficer_CannotRemoveOrDeactivateAnOfficer_AroundTheRule_AndEachAttemptIsInTheTrail()
    {
        await using var harness = await RuleOnAsync();
        var people = harness.People();

        var removal = await Assert.ThrowsAsync<PeopleRuleException>(() => people.RemoveFromTenantAsync(OfficerA, OfficerB, harness.Contoso));
        var deactivation = await Assert.ThrowsAsync<PeopleRuleException>(() => people.DeactivateAsync(OfficerA, OfficerB));

        Assert.Contains("two-person rule", removal.Message, StringComparison.Ordinal);
        Assert.Contains("Propose removing their SecurityOfficer role", deactivation.Message, StringComparison.Ordinal);
        Assert.True(await IsOfficerAsync(harness, OfficerB));
        await using (var db = harness.NewContext())
        {
            Assert.True((await db.Users.SingleAsync(u => u.Id == OfficerB)).IsActive);
        }

        var refusals = (await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused))
            .Where(e => e.SubjectId == OfficerB && e.Details().GetProperty("reason").GetString() == "officer-governed")
            .Select(e => e.Details().GetProperty("operation").GetString())
            .ToList();
        Assert.Equal(["RemoveFromTenant", nameof(AdministrationOperations.Deactivate)], refusals);
    }

    [Fact]
    public async Task WhenTheProviderDeactivatesTheOtherOfficer_TheLoneOfficerAppointsASecond_AndTheTrailSaysAlone()
    {
        await using var harness = await RuleOnAsync();
        var people = harness.People();
        await people.DeactivateAsync(AdminHarness.ProviderAdmin, OfficerB);

        Assert.Equal(ChangeOutcome.Applied, await people.GrantRoleAsync(OfficerA, Cast.ContosoAdminNotApprover, harness.Contoso, PortalRole.SecurityOfficer));

        Assert.True(await IsOfficerAsync(harness, Cast.ContosoAdminNotApprover));
        var granted = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Membership_Granted));
        Assert.Equal(Cast.ContosoOfficer, granted.ActorId);
        Assert.Contains("only active security officer", granted.Details().GetProperty("twoPerson").GetProperty("alone").GetString(), StringComparison.Ordinal);

        // Two again: a third is the second officer's to approve.
        Assert.Equal(ChangeOutcome.Proposed, await people.GrantRoleAsync(OfficerA, Cast.Approver1, harness.Contoso, PortalRole.SecurityOfficer));
        Assert.False(await IsOfficerAsync(harness, Cast.Approver1));
    }

    [Fact]
    public async Task AnOfficerInvitation_IsRefusedWhileTwoOfficersAreActive_AndOneSentBeforeTheRuleCannotBeAccepted()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AddOfficerBAsync(harness);
        var invitations = harness.Invitations();
        var early = await invitations.InviteAsync(OfficerA, new InviteInput("early@contoso.test", "Early", harness.Contoso, PortalRole.SecurityOfficer));
        await harness.ApproverList.ChangePolicyAsync(OfficerA, harness.Contoso, TenantPolicy.Default with { RequireSecondOfficer = true });

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            invitations.InviteAsync(OfficerA, new InviteInput("puppet@contoso.test", "Puppet", harness.Contoso, PortalRole.SecurityOfficer)));
        Assert.Contains("second officer's approval", Assert.Single(refused.Errors[nameof(InviteInput.Role)]), StringComparison.Ordinal);
        var preview = await Assert.ThrowsAsync<InvitationNotUsableException>(() => invitations.PreviewAsync(AdminHarness.TokenOf(early)));
        var accept = await Assert.ThrowsAsync<InvitationNotUsableException>(() =>
            invitations.AcceptAsync(new AcceptInput(AdminHarness.TokenOf(early), "Early", AdminHarness.StrongPassword, AdminHarness.StrongPassword)));

        Assert.Contains("two-person rule", preview.Message, StringComparison.Ordinal);
        Assert.Equal(preview.Message, accept.Message);
        await using var db = harness.NewContext();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "early@contoso.test"));

        // Another role is still invited as ever; the officer role then follows through a proposal.
        await invitations.InviteAsync(OfficerA, new InviteInput("newcomer@contoso.test", "Newcomer", harness.Contoso, PortalRole.TenantAdmin));
    }

    [Fact]
    public async Task ALoneOfficersInvitation_RestoresASecondOfficer_ButOnlyOne()
    {
        await using var harness = await RuleOnAsync();
        await harness.People().DeactivateAsync(AdminHarness.ProviderAdmin, OfficerB);
        var invitations = harness.Invitations();
        var first = await invitations.InviteAsync(OfficerA, new InviteInput("first@contoso.test", "First", harness.Contoso, PortalRole.SecurityOfficer));
        var second = await invitations.InviteAsync(OfficerA, new InviteInput("second@contoso.test", "Second", harness.Contoso, PortalRole.SecurityOfficer));

        await invitations.AcceptAsync(new AcceptInput(AdminHarness.TokenOf(first), "First", AdminHarness.StrongPassword, AdminHarness.StrongPassword));
        await Assert.ThrowsAsync<InvitationNotUsableException>(() =>
            invitations.AcceptAsync(new AcceptInput(AdminHarness.TokenOf(second), "Second", AdminHarness.StrongPassword, AdminHarness.StrongPassword)));

        await using var db = harness.NewContext();
        Assert.Equal(2, (await GovernedState.ActiveOfficersAsync(db, harness.Contoso, CancellationToken.None)).Count);
    }

    private static async Task<bool> IsOfficerAsync(ServiceHarness harness, string userId)
    {
        await using var db = harness.NewContext();
        return await db.Memberships.AnyAsync(m => m.TenantId == harness.Contoso && m.UserId == userId && m.Role == PortalRole.SecurityOfficer);
    }

    private static async Task AddOfficerAsync(ServiceHarness harness, string userId)
    {
        await using var db = harness.NewContext();
        db.Users.Add(new PortalUser { Id = userId, UserName = userId, Email = $"{userId}@test", DisplayName = userId });
        db.Memberships.Add(new Membership(userId, harness.Contoso, PortalRole.SecurityOfficer));
        await db.SaveChangesAsync();
    }
}
