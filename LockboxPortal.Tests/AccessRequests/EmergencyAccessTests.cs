using Bunit;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Components;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.AccessRequests.Live;
using LockboxPortal.Tests.Infrastructure;
using LockboxPortal.Tests.Notifications;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>
/// Emergency access the customer ratifies (docs/decisions/0016-emergency-access-ratified-after.md): declared with an
/// incident reference, its grant opens at once for at most an hour; the tenant's quorum ratifies it or one approver
/// rejects it within the window, otherwise the deadline timer marks it unratified and the engineer's next emergency in
/// that tenant is refused until an officer reviews it.
/// </summary>
public sealed class EmergencyAccessTests
{
    private const string Scope = "Exchange:mailbox/ana@contoso.com";
    private const string Incident = "INC-2026-0042";
    private const string Why = "Mail flow outage: the mailbox rules loop and bounce every message.";
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");

    [Fact]
    public async Task Declared_OpensAtOnce_AndTheQuorumRatifiesIt()
    {
        await using var harness = await EnabledAsync(p => p with { RequiredApprovals = 2 });

        var declared = await DeclareAsync(harness);

        Assert.Equal((RequestStatus.Approved, (Ratification?)Ratification.Pending), (declared.Status, declared.Ratification));
        Assert.Equal((ServiceHarness.Start, ServiceHarness.Start + TimeSpan.FromHours(1)), (declared.GrantStartsAt!.Value, declared.GrantEndsAt!.Value));
        Assert.Equal(ServiceHarness.Start + TimeSpan.FromHours(24), declared.ExpiresAt);
        var allowed = await CheckAsync(harness);
        Assert.Equal((true, true, (Guid?)declared.Id), (allowed.IsAllowed, allowed.Emergency, allowed.RequestId));

        harness.Time.Advance(TimeSpan.FromHours(2));
        var once = await harness.Requests.DecideAsync(ServiceHarness.Approver1, declared.Id, approve: true, "Seen the incident.");
        Assert.Equal(Ratification.Pending, once.Ratification);
        var ratified = await harness.Requests.DecideAsync(ServiceHarness.Approver2, declared.Id, approve: true, "Agreed.");

        Assert.Equal(Ratification.Ratified, ratified.Ratification);
        var trail = (await harness.AuditAsync(declared.Id)).Select(e => e.EventType).ToList();
        Assert.Equal(
            [AuditEventType.Emergency_Declared, AuditEventType.Grant_Opened, AuditEventType.AccessRequest_CustomerApproved, AuditEventType.AccessRequest_CustomerApproved,
                AuditEventType.Emergency_Ratified],
            trail.Where(t => t != AuditEventType.Grant_AccessChecked && t != AuditEventType.Grant_Completed));

        // Nothing is left to mark at the window's end, and the engineer may declare again.
        harness.Time.SetUtcNow(declared.ExpiresAt);
        await harness.Timer.RunOnceAsync(declared.ExpiresAt);
        Assert.Equal(Ratification.Ratified, (await StoredAsync(harness, declared.Id)).Ratification);
        Assert.Equal(Ratification.Pending, (await DeclareAsync(harness)).Ratification);
    }

    [Fact]
    public async Task NotSettledInTheWindow_IsMarkedUnratifiedByTheSystem_AndTheNextEmergencyIsRefused_UntilAnOfficerReviewsIt()
    {
        await using var harness = await EnabledAsync(p => p with { EmergencyRatificationWindow = TimeSpan.FromHours(6) });
        var declared = await DeclareAsync(harness);

        harness.Time.SetUtcNow(declared.ExpiresAt - TimeSpan.FromTicks(1));
        await harness.Timer.RunOnceAsync(harness.Time.GetUtcNow());
        Assert.Equal(Ratification.Pending, (await StoredAsync(harness, declared.Id)).Ratification);

        harness.Time.SetUtcNow(declared.ExpiresAt);
        await harness.Timer.RunOnceAsync(declared.ExpiresAt);

        var stored = await StoredAsync(harness, declared.Id);
        Assert.Equal((RequestStatus.Completed, (Ratification?)Ratification.Unratified), (stored.Status, stored.Ratification));
        var marked = Assert.Single(await harness.AuditAsync(declared.Id), e => e.EventType == AuditEventType.Emergency_Unratified);
        Assert.Equal(Actor.System.UserId, marked.ActorId);

        // A late ratification changes nothing.
        var late = await Assert.ThrowsAsync<RatificationClosedException>(() => harness.Requests.DecideAsync(ServiceHarness.Approver1, declared.Id, approve: true, "late"));
        Assert.Equal("already-decided", late.Code);

        var refused = await Assert.ThrowsAsync<UnreviewedEmergencyException>(() => DeclareAsync(harness, "Exchange:mailbox/ben@contoso.com"));
        Assert.Contains(declared.Reference, refused.Message, StringComparison.Ordinal);
        Assert.Contains(await harness.AuditAsync(), e => e.EventType == AuditEventType.Operation_Refused && e.DetailsJson.Contains("emergency-unreviewed"));

        // Another engineer, and another tenant, are not held back by it.
        Assert.NotNull(await harness.Requests.DeclareEmergencyAsync(ServiceHarness.Engineer2, Input(harness.Contoso, "Exchange:mailbox/cat@contoso.com")));

        await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.ReviewEmergencyAsync(ServiceHarness.ContosoOfficer, declared.Id, "  "));
        var reviewed = await harness.Requests.ReviewEmergencyAsync(ServiceHarness.ContosoOfficer, declared.Id, "Checked the incident ticket; the work was needed.");

        Assert.Equal((Cast.ContosoOfficer, "Checked the incident ticket; the work was needed."), (reviewed.ReviewedByName, reviewed.ReviewNote));
        Assert.Contains(await harness.AuditAsync(declared.Id), e => e.EventType == AuditEventType.Emergency_Reviewed && e.ActorId == Cast.ContosoOfficer);
        await Assert.ThrowsAsync<NotUnratifiedException>(() => harness.Requests.ReviewEmergencyAsync(ServiceHarness.ContosoOfficer, declared.Id, "again"));
        Assert.Equal(Ratification.Pending, (await DeclareAsync(harness, "Exchange:mailbox/ben@contoso.com")).Ratification);
    }

    [Fact]
    public async Task Rejected_WhileTheGrantRuns_RevokesIt_AndTheAccessCheckRefusesFromThatMoment()
    {
        await using var harness = await EnabledAsync();
        var declared = await DeclareAsync(harness);
        harness.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.True((await CheckAsync(harness)).IsAllowed);

        var rejected = await harness.Requests.DecideAsync(ServiceHarness.Approver1, declared.Id, approve: false, "No incident of ours matches this.");

        Assert.Equal((RequestStatus.Revoked, (Ratification?)Ratification.Rejected), (rejected.Status, rejected.Ratification));
        Assert.Equal(harness.Time.GetUtcNow(), rejected.GrantEndsAt);
        Assert.Equal(AccessDecisionReason.GrantRevoked, (await CheckAsync(harness)).Reason);
        var trail = (await harness.AuditAsync(declared.Id)).Select(e => e.EventType).ToList();
        Assert.Contains(AuditEventType.Emergency_Rejected, trail);
        Assert.Contains(AuditEventType.Grant_Revoked, trail);

        // Settled by the veto: nobody else decides it, and the window's end marks nothing.
        await Assert.ThrowsAsync<RatificationClosedException>(() => harness.Requests.DecideAsync(ServiceHarness.Approver2, declared.Id, approve: true, "ok"));
        await harness.Timer.RunOnceAsync(declared.ExpiresAt);
        Assert.Equal(Ratification.Rejected, (await StoredAsync(harness, declared.Id)).Ratification);
    }

    [Fact]
    public async Task Rejected_AfterTheGrantEnded_MarksItRejected_AndLeavesTheEndedGrantAsItWas()
    {
        await using var harness = await EnabledAsync();
        var declared = await DeclareAsync(harness);
        harness.Time.Advance(TimeSpan.FromHours(3));
        await harness.Timer.RunOnceAsync(harness.Time.GetUtcNow());

        var rejected = await harness.Requests.DecideAsync(ServiceHarness.Approver1, declared.Id, approve: false, "Not agreed.");

        Assert.Equal((RequestStatus.Completed, (Ratification?)Ratification.Rejected, declared.GrantEndsAt), (rejected.Status, rejected.Ratification, rejected.GrantEndsAt));
    }

    [Fact]
    public async Task TheAccessDecision_AllowsAnEmergencyAtOnce_AndRefusesAfterTheEmergencyLength_WhateverItsStoredEndSays()
    {
        var start = RequestBuilder.FiledAt;
        var emergency = AccessRequest.DeclareEmergency(Guid.NewGuid(), "LBX-2026-000001", RequestBuilder.Contoso, RequestBuilder.Requester,
            ResourceScope.Parse(Scope), AccessLevel.Read, Why, Incident, TenantPolicy.Default with { AllowEmergencyAccess = true }, start);
        var query = new AccessQuery(RequestBuilder.Contoso, RequestBuilder.Requester.UserId, ResourceScope.Parse(Scope + "/inbox"), AccessLevel.Read);

        var atOnce = AccessDecision.Evaluate(query, EngineerStanding.Engineer, [emergency], start);
        Assert.Equal((AccessDecisionReason.Allowed, true, (DateTimeOffset?)(start + TimeSpan.FromHours(1))), (atOnce.Reason, atOnce.Emergency, atOnce.GrantEndsAt));
        Assert.True(AccessDecision.Evaluate(query, EngineerStanding.Engineer, [emergency], start + TimeSpan.FromMinutes(60) - TimeSpan.FromTicks(1)).IsAllowed);
        Assert.Equal(AccessDecisionReason.GrantEnded, AccessDecision.Evaluate(query, EngineerStanding.Engineer, [emergency], start + TimeSpan.FromMinutes(60)).Reason);
        Assert.Equal(AccessDecisionReason.AccessLevelNotCovered,
            AccessDecision.Evaluate(query with { AccessLevel = AccessLevel.ReadWrite }, EngineerStanding.Engineer, [emergency], start).Reason);

        // A stored end moved past the hour (by hand in the database) gives nothing more: the decision cuts the window itself.
        typeof(AccessRequest).GetProperty(nameof(AccessRequest.GrantEndsAt))!.SetValue(emergency, start + TimeSpan.FromHours(5));
        Assert.Equal(AccessDecisionReason.GrantEnded, AccessDecision.Evaluate(query, EngineerStanding.Engineer, [emergency], start + TimeSpan.FromMinutes(61)).Reason);
        Assert.False(AccessDecision.Evaluate(query, EngineerStanding.Engineer, [emergency], start + TimeSpan.FromMinutes(61)).IsAllowed);
    }

    [Fact]
    public async Task TheAccessCheck_RefusesAfterTheTenantsEmergencyLength_AndTheTimerEndsTheGrantThere()
    {
        await using var harness = await EnabledAsync(p => p with { EmergencyGrantDuration = TimeSpan.FromMinutes(30) });
        var declared = await DeclareAsync(harness);
        Assert.Equal(ServiceHarness.Start + TimeSpan.FromMinutes(30), declared.GrantEndsAt);

        harness.Time.SetUtcNow(declared.GrantEndsAt!.Value - TimeSpan.FromTicks(1));
        Assert.True((await CheckAsync(harness)).IsAllowed);
        harness.Time.SetUtcNow(declared.GrantEndsAt!.Value);
        Assert.Equal(AccessDecisionReason.GrantEnded, (await CheckAsync(harness)).Reason);
        Assert.Equal(declared.GrantEndsAt, await harness.Grants.NextDeadlineAsync());
        await harness.Timer.RunOnceAsync(declared.GrantEndsAt!.Value);
        Assert.Equal(RequestStatus.Completed, (await StoredAsync(harness, declared.Id)).Status);
        Assert.Equal(declared.ExpiresAt, await harness.Grants.NextDeadlineAsync());
    }

    [Fact]
    public async Task Declaring_IsRefused_WhenTheTenantHasItOff_TheDefault()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        Assert.False((await harness.PolicyOfAsync(harness.Contoso)).AllowEmergencyAccess);

        var refused = await Assert.ThrowsAsync<EmergencyAccessOffException>(() => DeclareAsync(harness));

        Assert.Equal("emergency-access-off", refused.Code);
        Assert.Equal(0, await CountAsync(harness));
        var entry = Assert.Single(await harness.AuditAsync(), e => e.EventType == AuditEventType.Operation_Refused);
        Assert.Equal((Cast.Engineer, (Guid?)harness.Contoso), (entry.ActorId, entry.TenantId));
        Assert.Equal(AccessDecisionReason.NoMatchingRequest, (await CheckAsync(harness)).Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("INC 42")]
    [InlineData("-INC-42")]
    [InlineData("<b>INC</b>")]
    [InlineData("INC-\u202E42")]
    public async Task Declaring_WithABadIncidentReference_IsRefusedOnThatField_AndWritesNothing(string? incident)
    {
        await using var harness = await EnabledAsync();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.DeclareEmergencyAsync(ServiceHarness.Engineer, Input(harness.Contoso) with { IncidentReference = incident }));

        Assert.Equal([nameof(AccessRequest.IncidentReference)], refused.Errors.Keys);
        Assert.Equal(0, await CountAsync(harness));
    }

    [Fact]
    public async Task Declaring_AScopeOutsideTheCatalogue_IsRefused_WhileOneInsideIsShortenedToItsEntry()
    {
        await using var harness = await EnabledAsync();
        await harness.ApproverList.AddCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, "Exchange:mailbox/*", AccessLevel.Read, TimeSpan.FromMinutes(30));
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireCatalogue = true });

        var outside = await Assert.ThrowsAsync<InvalidInputException>(() => DeclareAsync(harness, "SharePoint:site/finance"));
        Assert.Contains(nameof(AccessRequest.Scope), outside.Errors.Keys);
        var level = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.DeclareEmergencyAsync(ServiceHarness.Engineer, Input(harness.Contoso) with { AccessLevel = AccessLevel.ReadWrite }));
        Assert.Contains(nameof(AccessRequest.AccessLevel), level.Errors.Keys);
        Assert.Equal(0, await CountAsync(harness));

        var inside = await DeclareAsync(harness);
        Assert.Equal(TimeSpan.FromMinutes(30), inside.GrantEndsAt - inside.GrantStartsAt);
    }

    [Fact]
    public async Task Declaring_OnAScopeTheEngineerAlreadyHoldsAGrantOn_IsRefused()
    {
        await using var harness = await EnabledAsync();
        var held = await harness.ApprovedAsync();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() => DeclareAsync(harness, Scope + "/inbox"));

        Assert.Contains(held.Reference, Assert.Single(refused.Errors[nameof(AccessRequest.Scope)]), StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(harness));

        // And an emergency held on a scope refuses an ordinary filing on it, as any grant does.
        var emergency = await DeclareAsync(harness, "Exchange:mailbox/ben@contoso.com");
        var filing = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: "Exchange:mailbox/ben@contoso.com")));
        Assert.Contains(emergency.Reference, Assert.Single(filing.Errors[nameof(AccessRequest.Scope)]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyEngineers_Declare()
    {
        await using var harness = await EnabledAsync();

        foreach (var who in new[] { ServiceHarness.Manager, ServiceHarness.Approver1, ServiceHarness.ContosoOfficer })
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DeclareEmergencyAsync(who, Input(harness.Contoso)));
        }

        Assert.Equal(0, await CountAsync(harness));
    }

    [Fact]
    public async Task AnotherTenantsApprover_CannotRatify_NorTheEngineerTheirOwn_NorTheManager()
    {
        await using var harness = await EnabledAsync();
        var declared = await DeclareAsync(harness);

        // Another tenant's approver is not even told it exists.
        await Assert.ThrowsAsync<NotFoundException>(() => harness.Requests.DecideAsync(ServiceHarness.NorthwindApprover, declared.Id, approve: true, "ok"));
        await Assert.ThrowsAsync<NotFoundException>(() => harness.Requests.DecideAsync(ServiceHarness.NorthwindApprover, declared.Id, approve: false, "no"));
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideAsync(ServiceHarness.Manager, declared.Id, approve: true, "ok"));
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideAsync(ServiceHarness.Engineer, declared.Id, approve: true, "mine"));
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideAsync(ServiceHarness.ContosoOfficer, declared.Id, approve: true, "ok"));

        // The state machine holds it too, whoever the gate let through.
        var copy = await StoredAsync(harness, declared.Id);
        Assert.Throws<SelfApprovalException>(() => copy.RatifyEmergency(new Actor(Cast.Engineer, Cast.Engineer), null, "mine", harness.Time.GetUtcNow()));
        Assert.Throws<SelfApprovalException>(() => copy.RejectEmergency(new Actor(Cast.Approver1, Cast.Approver1), new Actor(Cast.Engineer, Cast.Engineer), "no", harness.Time.GetUtcNow()));
        Assert.Equal(Ratification.Pending, (await StoredAsync(harness, declared.Id)).Ratification);

        // A Contoso approver may; an approval for less time has no meaning here.
        await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.DecideAsync(ServiceHarness.Approver1, declared.Id, approve: true, "ok", allowedDuration: TimeSpan.FromMinutes(15)));
        Assert.Equal(Ratification.Ratified, (await harness.Requests.DecideAsync(ServiceHarness.Approver1, declared.Id, approve: true, "ok")).Ratification);
    }

    [Fact]
    public async Task OnlyAnOfficerOfTheTenant_Reviews()
    {
        await using var harness = await EnabledAsync();
        var declared = await DeclareAsync(harness);
        await harness.Timer.RunOnceAsync(declared.ExpiresAt);

        foreach (var who in new[] { ServiceHarness.Approver1, ServiceHarness.Engineer, ServiceHarness.Manager })
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.ReviewEmergencyAsync(who, declared.Id, "looked"));
        }

        await Assert.ThrowsAsync<NotFoundException>(() => harness.Requests.ReviewEmergencyAsync(ServiceHarness.As(Cast.NorthwindOfficer), declared.Id, "looked"));
        Assert.True((await StoredAsync(harness, declared.Id)).AwaitsReview);
    }

    [Fact]
    public async Task AnEmergencyGrant_CannotBeExtended()
    {
        await using var harness = await EnabledAsync();
        var declared = await DeclareAsync(harness);

        await Assert.ThrowsAsync<EmergencyNotExtendableException>(() => harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, declared.Id, TimeSpan.FromHours(1), Why));
    }

    [Fact]
    public async Task TheApproversQueue_ShowsTheEmergency_AsRatifyOrReject_UntilItIsSettled()
    {
        await using var harness = await EnabledAsync(p => p with { RequiredApprovals = 2 });
        var declared = await DeclareAsync(harness);

        var queue = await harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver2);
        var row = Assert.Single(queue);
        Assert.Equal(declared.Id, row.Request.Id);
        Assert.Empty(await harness.Requests.ListCustomerQueueAsync(ServiceHarness.NorthwindApprover));

        await using var context = ComponentTestContext.Create(harness.Time);
        var decided = new List<bool>();
        var cut = RenderRow(context, row, decided);
        Assert.Equal("Emergency — ratify or reject", cut.Find("[data-testid=emergency]").TextContent.Trim());
        Assert.Equal("Ratify", cut.Find("[data-testid=approve]").TextContent.Trim());
        Assert.Equal("0 of 2", cut.Find("[data-testid=approvals-count]").TextContent.Trim());
        cut.Find("[data-testid=approve]").Click();
        Assert.Equal([true], decided);

        await harness.Requests.DecideAsync(ServiceHarness.Approver1, declared.Id, approve: true, "ok");
        Assert.True(Assert.Single(await harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver1)).Request.ApprovedBy(Cast.Approver1));
        await harness.Requests.DecideAsync(ServiceHarness.Approver2, declared.Id, approve: true, "ok");
        Assert.Empty(await harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver3));
    }

    [Fact]
    public async Task Declaring_EmailsEveryApproverAndOfficerOfTheTenant_AtOnce_AndNobodyElse()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await harness.SetPolicyAsync(harness.Contoso, p => p with { AllowEmergencyAccess = true });

        var declared = await DeclareAsync(harness);
        await email.DispatchAsync();

        var received = email.Received("AccessRequest.EmergencyDeclared");
        Assert.Equal(
            [$"{Cast.Approver1}@test", $"{Cast.Approver2}@test", $"{Cast.Approver3}@test", $"{Cast.ContosoOfficer}@test"],
            received.Keys.Order());
        var mail = received[$"{Cast.ContosoOfficer}@test"];
        Assert.Equal($"Emergency access to Contoso: ratify or reject {declared.Reference}", mail.Message.Subject);
        Assert.Contains(Incident, mail.Text, StringComparison.Ordinal);
        Assert.Contains(Why, mail.Text, StringComparison.Ordinal);

        // At the window's end, the officers hear that a review is needed.
        harness.Time.SetUtcNow(declared.ExpiresAt);
        await harness.Timer.RunOnceAsync(declared.ExpiresAt);
        await email.DispatchAsync();
        Assert.Equal([$"{Cast.ContosoOfficer}@test"], email.Received("AccessRequest.EmergencyUnratified").Keys);
    }

    [Fact]
    public async Task TheCsvExport_SaysAnEmergencyIsUnratified()
    {
        await using var harness = await EnabledAsync();
        var declared = await DeclareAsync(harness);
        await harness.Timer.RunOnceAsync(declared.ExpiresAt);

        var csv = RequestCsv.Write([new RequestRow(await StoredAsync(harness, declared.Id), "Contoso")]);

        var lines = csv.Split("\r\n");
        Assert.EndsWith("Emergency incident,Ratification", lines[0], StringComparison.Ordinal);
        Assert.EndsWith($"{Incident},\"Unratified, awaiting review\"", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(59, 60, nameof(TenantPolicy.EmergencyRatificationWindow))]
    [InlineData(7 * 24 * 60 + 1, 60, nameof(TenantPolicy.EmergencyRatificationWindow))]
    [InlineData(24 * 60, 61, nameof(TenantPolicy.EmergencyGrantDuration))]
    [InlineData(24 * 60, 14, nameof(TenantPolicy.EmergencyGrantDuration))]
    public async Task ThePolicy_KeepsTheWindowAndTheLengthWithinBounds_AndChangesThroughTheAuditedPolicyPath(int windowMinutes, int grantMinutes, string field)
    {
        Assert.Empty(TenantPolicy.Default.Validate(approverCount: 3));
        Assert.False(TenantPolicy.Default.AllowEmergencyAccess);
        Assert.Equal((TimeSpan.FromHours(24), TimeSpan.FromMinutes(60)), (TenantPolicy.Default.EmergencyRatificationWindow, TenantPolicy.Default.EmergencyGrantDuration));
        await using var harness = await ServiceHarness.CreateAsync();
        var before = await harness.PolicyOfAsync(harness.Contoso);

        var wrong = before with
        {
            AllowEmergencyAccess = true,
            EmergencyRatificationWindow = TimeSpan.FromMinutes(windowMinutes),
            EmergencyGrantDuration = TimeSpan.FromMinutes(grantMinutes),
        };
        var refused = await Assert.ThrowsAsync<InvalidInputException>(() => harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso, wrong));

        Assert.Equal([field], refused.Errors.Keys);
        Assert.Equal(before, await harness.PolicyOfAsync(harness.Contoso));
        Assert.Equal(ChangeOutcome.Applied, await harness.ApproverList.ChangePolicyAsync(ServiceHarness.ContosoOfficer, harness.Contoso,
            before with { AllowEmergencyAccess = true, EmergencyRatificationWindow = TimeSpan.FromHours(2), EmergencyGrantDuration = TimeSpan.FromMinutes(20) }));
        var changed = Assert.Single(await harness.AuditAsync(), e => e.EventType == AuditEventType.Policy_Changed);
        Assert.Contains("\"allowEmergencyAccess\":true", changed.DetailsJson, StringComparison.Ordinal);
        Assert.Contains("\"emergencyGrantDuration\":\"00:20:00\"", changed.DetailsJson, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() => harness.ApproverList.ChangePolicyAsync(ServiceHarness.Approver1, harness.Contoso, before));
    }

    private static async Task<ServiceHarness> EnabledAsync(Func<TenantPolicy, TenantPolicy>? more = null)
    {
        var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => (more ?? (q => q))(p with { AllowEmergencyAccess = true }));
        return harness;
    }

    private static DeclareEmergencyInput Input(Guid tenant, string scope = Scope) => new(tenant, scope, AccessLevel.Read, Incident, Why);

    private static Task<AccessRequest> DeclareAsync(ServiceHarness harness, string scope = Scope) =>
        harness.Requests.DeclareEmergencyAsync(ServiceHarness.Engineer, Input(harness.Contoso, scope));

    private static async Task<AccessRequest> StoredAsync(ServiceHarness harness, Guid id)
    {
        await using var db = harness.NewContext();
        return await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleAsync(r => r.Id == id);
    }

    private static async Task<int> CountAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        return await db.AccessRequests.CountAsync();
    }

    private static Task<AccessVerdict> CheckAsync(ServiceHarness harness) =>
        harness.Services.GetRequiredService<AccessCheckService>().CheckAsync(new AccessCheckInput("contoso", Cast.Engineer, Scope, AccessLevel.Read), DataPlane, null);

    private static IRenderedComponent<QueueRow> RenderRow(BunitContext context, RequestRow row, List<bool> decided)
    {
        var host = context.Render(builder =>
        {
            builder.OpenElement(0, "table");
            builder.OpenElement(1, "tbody");
            builder.OpenElement(2, "tr");
            builder.OpenComponent<QueueRow>(3);
            builder.AddComponentParameter(4, nameof(QueueRow.Row), row);
            builder.AddComponentParameter(5, nameof(QueueRow.Stage), DecisionStage.Customer);
            builder.AddComponentParameter(6, nameof(QueueRow.OnDecide), EventCallback.Factory.Create<bool>(decided, decided.Add));
            builder.CloseComponent();
            builder.CloseElement();
            builder.CloseElement();
            builder.CloseElement();
        });
        return host.FindComponent<QueueRow>();
    }
}
