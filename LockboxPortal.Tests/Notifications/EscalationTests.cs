using LockboxPortal.Common;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Notifications;

/// <summary>
/// Escalation (tenant policy): after N hours without a decision the tenant's escalation approvers join the request,
/// are emailed (a real SMTP server on a local port) and may decide it under the same rules; before that they cannot.
/// Applied by the deadline timer on a fake clock, at its moment and not one tick before, on the timeline and in the trail.
/// </summary>
public sealed class EscalationTests
{
    private static readonly TimeSpan After = TimeSpan.FromHours(4);

    /// <summary>Contoso's officer puts its admin who is on no list on the escalation list and turns escalation on.</summary>
    private static async Task EscalateAfterFourHoursAsync(ServiceHarness harness)
    {
        await harness.ApproverList.AddEscalationApproverAsync(ServiceHarness.ContosoOfficer, harness.Contoso, Cast.ContosoAdminNotApprover);
        var current = (await harness.ApproverQueries.GetTenantAsync(ServiceHarness.ContosoOfficer, harness.Contoso)).Policy;
        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso, current with { EscalateAfter = After }));
    }

    /// <summary>Another Contoso TenantAdmin, on no list.</summary>
    private static async Task AddContosoAdminAsync(ServiceHarness harness, string id)
    {
        await using var db = harness.NewContext();
        db.Users.Add(new Features.Tenants.PortalUser { Id = id, UserName = id, Email = $"{id}@test", DisplayName = id });
        db.Memberships.Add(new Features.Tenants.Membership(id, harness.Contoso, Features.Tenants.PortalRole.TenantAdmin));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task TheEscalationApprovers_JoinAtTheMoment_NotOneTickBefore_AreEmailed_AndMayThenDecide()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await EscalateAfterFourHoursAsync(harness);
        var escalationApprover = ServiceHarness.As(Cast.ContosoAdminNotApprover);
        var pending = await harness.PendingCustomerAsync();
        var moment = harness.Time.GetUtcNow() + After;
        Assert.Equal(moment, pending.EscalatesAt);

        // Before: not in their queue, and a decision is refused through the one authorization path.
        Assert.Empty(await harness.Requests.ListCustomerQueueAsync(escalationApprover));
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(escalationApprover, pending.Id, approve: true, null));

        harness.Time.Advance(moment - TimeSpan.FromTicks(1) - harness.Time.GetUtcNow());
        await harness.Timer.RunOnceAsync(moment - TimeSpan.FromTicks(1));
        Assert.DoesNotContain(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_Escalated);
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(escalationApprover, pending.Id, approve: true, null));

        harness.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, await harness.Timer.RunOnceAsync(moment));
        Assert.Equal(0, await harness.Timer.RunOnceAsync(moment));

        var escalated = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_Escalated);
        Assert.Equal(moment, escalated.OccurredAt);
        Assert.Equal("Escalated: the escalation approvers may decide it now", RequestHistoryItem.From(escalated).Text);

        // Only the escalation approver hears of the escalation: the approvers were asked already.
        await email.DispatchAsync();
        var told = email.Received("AccessRequest.Escalated");
        Assert.Equal([$"{Cast.ContosoAdminNotApprover}@test"], told.Keys);
        Assert.Equal($"Escalated: {pending.Reference} awaits your approval (Contoso)", told.Values.Single().Message.Subject);
        Assert.Contains($"{EmailHarness.PublicUrl}/requests/{pending.Id}", told.Values.Single().Text);

        Assert.Single(await harness.Requests.ListCustomerQueueAsync(escalationApprover));
        var approved = await harness.Requests.DecideCustomerAsync(escalationApprover, pending.Id, approve: true, "Covering for the approvers.");
        Assert.Equal(RequestStatus.Approved, approved.Status);
        var decision = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_CustomerApproved);
        Assert.Equal(Cast.ContosoAdminNotApprover, decision.ActorId);
    }

    [Fact]
    public async Task AnotherRequest_NotYetEscalated_StaysClosedToTheEscalationApprovers()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await EscalateAfterFourHoursAsync(harness);
        var escalationApprover = ServiceHarness.As(Cast.ContosoAdminNotApprover);
        var first = await harness.PendingCustomerAsync();
        harness.Time.Advance(TimeSpan.FromHours(1));
        var second = await harness.PendingCustomerAsync(scope: "Exchange:mailbox/ben@contoso.com");

        harness.Time.Advance(first.EscalatesAt!.Value - harness.Time.GetUtcNow());
        await harness.Timer.RunOnceAsync(first.EscalatesAt.Value);

        Assert.Equal([first.Id], (await harness.Requests.ListCustomerQueueAsync(escalationApprover)).Select(r => r.Request.Id));
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(escalationApprover, second.Id, approve: false, "No."));
    }

    [Fact]
    public async Task AnEscalationApprover_DecidesUnderTheTenantsFactorPolicy()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await EscalateAfterFourHoursAsync(harness);
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireTwoFactor = true, RequireFreshFactor = false });
        var pending = await harness.PendingCustomerAsync();
        harness.Time.Advance(After);
        await harness.Timer.RunOnceAsync(harness.Time.GetUtcNow());

        var refused = await Assert.ThrowsAnyAsync<LockboxRuleException>(() =>
            harness.Requests.DecideCustomerAsync(ServiceHarness.As(Cast.ContosoAdminNotApprover), pending.Id, approve: true, null));
        Assert.Equal("second-factor-required", refused.Code);

        var approved = await harness.Requests.DecideCustomerAsync(ServiceHarness.WithSecondFactor(Cast.ContosoAdminNotApprover), pending.Id, approve: true, null);
        Assert.Equal(RequestStatus.Approved, approved.Status);
    }

    [Fact]
    public async Task TakenOffTheEscalationList_TheyCanNoLongerDecide()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await EscalateAfterFourHoursAsync(harness);
        await AddContosoAdminAsync(harness, "contoso-second");
        await harness.ApproverList.AddEscalationApproverAsync(ServiceHarness.ContosoOfficer, harness.Contoso, "contoso-second");
        var pending = await harness.PendingCustomerAsync();
        harness.Time.Advance(After);
        await harness.Timer.RunOnceAsync(harness.Time.GetUtcNow());

        await harness.ApproverList.RemoveEscalationApproverAsync(ServiceHarness.ContosoOfficer, harness.Contoso, Cast.ContosoAdminNotApprover);

        await Assert.ThrowsAsync<ForbiddenException>(() =>
            harness.Requests.DecideCustomerAsync(ServiceHarness.As(Cast.ContosoAdminNotApprover), pending.Id, approve: true, null));
        Assert.Single(await harness.AuditAsync(harness.Contoso), e => e.EventType == AuditEventType.Approvers_EscalationRemoved);
    }

    [Fact]
    public async Task BadEscalationSettings_AreRefusedWithAClearMessage_AndChangeNothing()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var officer = ServiceHarness.ContosoOfficer;
        var policy = (await harness.ApproverQueries.GetTenantAsync(officer, harness.Contoso)).Policy;

        var empty = await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.ChangePolicyAsync(officer, harness.Contoso, policy with { EscalateAfter = After }));
        Assert.Equal("Add someone to the escalation list before turning escalation on.", empty.Errors["EscalateAfter"].Single());

        await harness.ApproverList.AddEscalationApproverAsync(officer, harness.Contoso, Cast.ContosoAdminNotApprover);
        var late = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.ApproverList.ChangePolicyAsync(officer, harness.Contoso, policy with { EscalateAfter = policy.PendingLifetime }));
        Assert.Equal("Escalation must come within the pending window: from 1 to 11 hours, since a request lives 12 hours.", late.Errors["EscalateAfter"].Single());
        await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.ApproverList.ChangePolicyAsync(officer, harness.Contoso, policy with { EscalateAfter = TimeSpan.FromMinutes(30) }));

        var onBoth = await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.AddEscalationApproverAsync(officer, harness.Contoso, Cast.Approver1));
        Assert.Equal("This person is on the approver list and already decides every request.", onBoth.Errors[ApproverListService.EscalationField].Single());
        var outsider = await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.AddEscalationApproverAsync(officer, harness.Contoso, Cast.NorthwindApprover));
        Assert.Equal("Only active TenantAdmins of this tenant can be escalation approvers.", outsider.Errors[ApproverListService.EscalationField].Single());

        Assert.Null((await harness.ApproverQueries.GetTenantAsync(officer, harness.Contoso)).Policy.EscalateAfter);
        Assert.DoesNotContain(await harness.AuditAsync(), e => e.EventType == AuditEventType.Policy_Changed);
    }

    [Fact]
    public async Task ADelegateOfAnEscalationApprover_MayDecideOnceEscalated_AndIsEmailed()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await EscalateAfterFourHoursAsync(harness);
        const string stand = "contoso-stand-in";
        await AddContosoAdminAsync(harness, stand);

        await harness.Delegations.CreateDelegationAsync(ServiceHarness.As(Cast.ContosoAdminNotApprover),
            new DelegationInput(harness.Contoso, null, stand, null, harness.Time.GetUtcNow().AddDays(3), "On leave this week."));
        var pending = await harness.PendingCustomerAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(ServiceHarness.As(stand), pending.Id, approve: true, null));

        harness.Time.Advance(After);
        await harness.Timer.RunOnceAsync(harness.Time.GetUtcNow());
        await email.DispatchAsync();
        Assert.Contains($"{stand}@test", email.Received("AccessRequest.Escalated").Keys);

        await harness.Requests.DecideCustomerAsync(ServiceHarness.As(stand), pending.Id, approve: true, null);
        var decision = Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.AccessRequest_CustomerApproved);
        Assert.Equal((stand, Cast.ContosoAdminNotApprover), (decision.ActorId, decision.OnBehalfOfId));
    }
}
