using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Grants;

/// <summary>
/// While a grant runs, its engineer may ask for more time (docs/decisions/0013-grant-extensions.md): an extension, a
/// request of its own decided through the same stages and quorum. Its approval moves the grant's end, never past twice
/// the tenant's maximum from the grant's start; a rejected, expired or closed extension leaves the grant as it was.
/// </summary>
public sealed class GrantExtensionTests
{
    private const string Scope = "Exchange:mailbox/ana@contoso.com";
    private const string Why = "The mailbox repair needs another pass.";
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");

    [Fact]
    public async Task Approved_MovesTheGrantsEnd_SoTheAccessCheckAllowsPastTheOldEnd_AndRefusesFromTheNewOne()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var oldEnd = grant.GrantEndsAt!.Value;
        harness.Time.Advance(TimeSpan.FromHours(3));

        var extension = await ApprovedExtensionAsync(harness, grant.Id, TimeSpan.FromHours(2));

        Assert.Equal((RequestStatus.Extended, (Guid?)grant.Id, grant.Reference), (extension.Status, extension.ExtendsRequestId, extension.ExtendsReference));
        var extended = await StoredAsync(harness, grant.Id);
        Assert.Equal((RequestStatus.Approved, grant.GrantStartsAt, (DateTimeOffset?)(oldEnd + TimeSpan.FromHours(2))),
            (extended.Status, extended.GrantStartsAt, extended.GrantEndsAt));

        // Both trails: the extension's own (filed, decided) and the grant's (asked for, extended).
        var grantTrail = await harness.AuditAsync(grant.Id);
        var asked = Assert.Single(grantTrail, e => e.EventType == AuditEventType.Grant_ExtensionRequested);
        Assert.Contains(extension.Reference, asked.DetailsJson, StringComparison.Ordinal);
        var moved = Assert.Single(grantTrail, e => e.EventType == AuditEventType.Grant_Extended);
        Assert.Contains("\"added\":\"02:00:00\"", moved.DetailsJson, StringComparison.Ordinal);
        Assert.Equal(
            ["Filed by engineer for customer-initiated support", "Provider approved by manager", "Customer approved by approver1", "Access granted", "More time asked for by engineer", "More time granted: the grant ends later"],
            grantTrail.Select(RequestHistoryItem.From).Select(i => i.Text));
        Assert.Equal(Why, RequestHistoryItem.From(asked).Comment);
        Assert.Equal(
            [AuditEventType.AccessRequest_Filed, AuditEventType.AccessRequest_InternalApproved, AuditEventType.AccessRequest_CustomerApproved],
            (await harness.AuditAsync(extension.Id)).Select(e => e.EventType));

        // The timer finds nothing due at the old end; the access check reads the moved end itself.
        Assert.Equal(0, await harness.Timer.RunOnceAsync(oldEnd));
        harness.Time.SetUtcNow(oldEnd);
        var allowed = await CheckAsync(harness);
        Assert.Equal((true, (Guid?)grant.Id, extended.GrantEndsAt), (allowed.IsAllowed, allowed.RequestId, allowed.GrantEndsAt));
        harness.Time.SetUtcNow(extended.GrantEndsAt!.Value - TimeSpan.FromTicks(1));
        Assert.True((await CheckAsync(harness)).IsAllowed);
        harness.Time.SetUtcNow(extended.GrantEndsAt!.Value);
        Assert.Equal(AccessDecisionReason.GrantEnded, (await CheckAsync(harness)).Reason);
    }

    [Fact]
    public async Task ItNeedsTheSameQuorum_AndAShorterApprovalMovesTheEndByLess()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2 });
        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(2), Why);
        await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");

        var afterOne = await harness.Requests.DecideAsync(ServiceHarness.Approver1, extension.Id, approve: true, "half an hour", allowedDuration: TimeSpan.FromMinutes(30));
        Assert.Equal(RequestStatus.PendingCustomer, afterOne.Status);
        Assert.Equal(grant.GrantEndsAt, (await StoredAsync(harness, grant.Id)).GrantEndsAt);
        await harness.Requests.DecideAsync(ServiceHarness.Approver2, extension.Id, approve: true, "ok");

        Assert.Equal(grant.GrantEndsAt + TimeSpan.FromMinutes(30), (await StoredAsync(harness, grant.Id)).GrantEndsAt);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rejected_AtEitherStage_LeavesTheGrantAsItWas(bool byTheCustomer)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(2), Why);
        if (byTheCustomer)
        {
            await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");
        }

        var rejected = await harness.Requests.DecideAsync(byTheCustomer ? ServiceHarness.Approver1 : ServiceHarness.Manager, extension.Id, approve: false, "Finish tomorrow.");

        Assert.Equal(byTheCustomer ? RequestStatus.Rejected : RequestStatus.Denied, rejected.Status);
        var stored = await StoredAsync(harness, grant.Id);
        Assert.Equal((RequestStatus.Approved, grant.GrantEndsAt, grant.Version), (stored.Status, stored.GrantEndsAt, stored.Version));
        Assert.DoesNotContain(await harness.AuditAsync(grant.Id), e => e.EventType == AuditEventType.Grant_Extended);
        harness.Time.SetUtcNow(grant.GrantEndsAt!.Value);
        Assert.Equal(AccessDecisionReason.GrantEnded, (await CheckAsync(harness)).Reason);
    }

    [Fact]
    public async Task Expired_WhenItsPendingDeadlinePasses_LeavesTheGrantAsItWas_AndIsNoLongerDecidable()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { PendingLifetime = TimeSpan.FromHours(1) });
        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(2), Why);
        Assert.Equal(harness.Time.GetUtcNow() + TimeSpan.FromHours(1), extension.ExpiresAt);
        await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");

        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.Timer.RunOnceAsync(harness.Time.GetUtcNow());

        Assert.Equal(RequestStatus.Expired, (await StoredAsync(harness, extension.Id)).Status);
        await Assert.ThrowsAsync<InvalidTransitionException>(() => harness.Requests.DecideAsync(ServiceHarness.Approver1, extension.Id, approve: true, "late"));
        var stored = await StoredAsync(harness, grant.Id);
        Assert.Equal((RequestStatus.Approved, grant.GrantEndsAt), (stored.Status, stored.GrantEndsAt));
        Assert.Contains(await harness.AuditAsync(extension.Id), e => e.EventType == AuditEventType.AccessRequest_Expired);

        // Its time gone by, the engineer may ask again.
        var again = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(1), Why);
        Assert.Equal(RequestStatus.PendingInternal, again.Status);
    }

    [Fact]
    public async Task APendingExtension_NeverOutlivesTheGrant_AndExpiresWithItsEnd()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        harness.Time.Advance(TimeSpan.FromHours(3));

        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(2), Why);
        Assert.Equal(grant.GrantEndsAt, extension.ExpiresAt);
        await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");

        harness.Time.SetUtcNow(grant.GrantEndsAt!.Value);
        await Assert.ThrowsAsync<DeadlinePassedException>(() => harness.Requests.DecideAsync(ServiceHarness.Approver1, extension.Id, approve: true, "too late"));
        await harness.Timer.RunOnceAsync(harness.Time.GetUtcNow());

        Assert.Equal(RequestStatus.Expired, (await StoredAsync(harness, extension.Id)).Status);
        var stored = await StoredAsync(harness, grant.Id);
        Assert.Equal((RequestStatus.Completed, grant.GrantEndsAt), (stored.Status, stored.GrantEndsAt));
    }

    [Theory]
    [InlineData("revoke")]
    [InlineData("release")]
    public async Task EndingTheGrantEarly_ClosesItsPendingExtension(string how)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(2), Why);
        await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");
        var published = new List<RequestEvent>();
        using var listening = harness.Notifier.Subscribe(change => { published.Add(change); return Task.CompletedTask; });

        _ = how == "revoke"
            ? await harness.Grants.RevokeAsync(ServiceHarness.ContosoOfficer, grant.Id, "Work moved to another team.")
            : await harness.Grants.ReleaseAsync(ServiceHarness.Engineer, grant.Id);

        var closed = await StoredAsync(harness, extension.Id);
        Assert.Equal(RequestStatus.Expired, closed.Status);
        Assert.Contains(grant.Reference, closed.ClosedReason, StringComparison.Ordinal);
        Assert.Contains(await harness.AuditAsync(extension.Id), e => e.EventType == AuditEventType.AccessRequest_Expired);
        Assert.Contains(published, e => e.RequestId == extension.Id && e.Kind == RequestEventKind.Expired);
        await Assert.ThrowsAsync<InvalidTransitionException>(() => harness.Requests.DecideAsync(ServiceHarness.Approver1, extension.Id, approve: true, "ok"));
    }

    /// <summary>
    /// The cap, precisely: the grant's end may never pass its start plus twice the tenant's maximum (the maximum, plus one
    /// extension's worth of at most the maximum again). Each extension asks for 15 minutes up to the maximum, or what is left.
    /// </summary>
    [Fact]
    public async Task TheEnd_NeverPassesTwiceTheTenantsMaximumFromTheOriginalStart()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { Duration = TimeSpan.FromHours(8) });
        await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");
        var grant = await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, filed.Id, approve: true, "ok");
        var start = grant.GrantStartsAt!.Value;

        Assert.Contains("up to 8 h more", await MinutesProblemAsync(harness, grant.Id, TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1)), StringComparison.Ordinal);
        Assert.Contains("15 min up to", await MinutesProblemAsync(harness, grant.Id, TimeSpan.FromMinutes(14)), StringComparison.Ordinal);
        await ApprovedExtensionAsync(harness, grant.Id, TimeSpan.FromHours(6));
        Assert.Equal(start + TimeSpan.FromHours(14), (await StoredAsync(harness, grant.Id)).GrantEndsAt);

        Assert.Contains("up to 2 h more", await MinutesProblemAsync(harness, grant.Id, TimeSpan.FromHours(3)), StringComparison.Ordinal);
        await ApprovedExtensionAsync(harness, grant.Id, TimeSpan.FromHours(2));
        Assert.Equal(start + TimeSpan.FromHours(16), (await StoredAsync(harness, grant.Id)).GrantEndsAt);

        Assert.Contains("cannot be extended", await MinutesProblemAsync(harness, grant.Id, TimeSpan.FromMinutes(15)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APolicyLoweredWhileTheExtensionWaits_CapsTheNewEnd_AndNeverShortensTheGrant()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var start = grant.GrantStartsAt!.Value;
        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(4), Why);
        await harness.SetPolicyAsync(harness.Contoso, p => p with { DefaultGrantDuration = TimeSpan.FromHours(1), MaxGrantDuration = TimeSpan.FromHours(3) });

        await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");
        await harness.Requests.DecideAsync(ServiceHarness.Approver1, extension.Id, approve: true, "ok");

        Assert.Equal(start + TimeSpan.FromHours(6), (await StoredAsync(harness, grant.Id)).GrantEndsAt);
    }

    public static TheoryData<string> NotRunning => new() { "pending", "scheduled", "ended", "revoked", "extension" };

    [Theory]
    [MemberData(nameof(NotRunning))]
    public async Task OnAGrantThatIsNotRunning_ItIsRefused_AndNothingIsFiled(string state)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var id = state switch
        {
            "pending" => (await harness.PendingCustomerAsync()).Id,
            "scheduled" => await ScheduledGrantAsync(harness),
            "extension" => (await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, (await harness.ApprovedAsync()).Id, TimeSpan.FromHours(1), Why)).Id,
            _ => (await harness.ApprovedAsync()).Id,
        };
        if (state == "ended")
        {
            harness.Time.Advance(TimeSpan.FromHours(4));
        }
        else if (state == "revoked")
        {
            await harness.Grants.RevokeAsync(ServiceHarness.ContosoOfficer, id, "Done here.");
        }

        await using var before = harness.NewContext();
        var count = await before.AccessRequests.CountAsync();

        var refused = await Assert.ThrowsAsync<GrantNotRunningException>(() =>
            harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, id, TimeSpan.FromHours(1), Why));

        Assert.Equal("grant-not-active", refused.Code);
        await using var db = harness.NewContext();
        Assert.Equal(count, await db.AccessRequests.CountAsync());
    }

    [Fact]
    public async Task ASecondOne_WhileOneIsPending_IsRefused()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var first = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(1), Why);
        await harness.Requests.DecideAsync(ServiceHarness.Manager, first.Id, approve: true, "ok");

        var refused = await Assert.ThrowsAsync<ExtensionPendingException>(() =>
            harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(1), Why));

        Assert.Contains(first.Reference, refused.Message, StringComparison.Ordinal);
        await using var db = harness.NewContext();
        Assert.Equal(1, await db.AccessRequests.CountAsync(r => r.ExtendsRequestId == grant.Id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    [InlineData("too short")]
    public async Task WithoutAJustification_ItIsRefusedWithAMessage(string? justification)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(1), justification));

        Assert.Contains("justification", Assert.Single(refused.Errors[nameof(AccessRequest.Justification)]), StringComparison.Ordinal);
        Assert.DoesNotContain(await harness.AuditAsync(grant.Id), e => e.EventType == AuditEventType.Grant_ExtensionRequested);
    }

    [Fact]
    public async Task ThePendingExtension_IsInBothQueues_MarkedAsAnExtension_AndListedOnTheGrantsRequest()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        Assert.Equal(TimeSpan.FromHours(8), (await harness.Requests.ActionsAsync(ServiceHarness.Engineer, grant)).ExtendUpTo);
        Assert.Null((await harness.Requests.ActionsAsync(ServiceHarness.ContosoOfficer, grant)).ExtendUpTo);
        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(1), Why);
        Assert.Null((await harness.Requests.ActionsAsync(ServiceHarness.Engineer, grant)).ExtendUpTo);

        var internalRow = Assert.Single(await harness.Requests.ListInternalQueueAsync(ServiceHarness.Manager));
        Assert.Equal((extension.Id, grant.Reference), (internalRow.Request.Id, internalRow.Request.ExtendsReference));
        await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");
        var customerRow = Assert.Single(await harness.Requests.ListCustomerQueueAsync(ServiceHarness.Approver1));
        Assert.Equal((extension.Id, grant.Reference), (customerRow.Request.Id, customerRow.Request.ExtendsReference));
        Assert.Empty(await harness.Requests.ListCustomerQueueAsync(ServiceHarness.NorthwindApprover));

        Assert.Equal([extension.Id], (await harness.Requests.ExtensionsOfAsync(ServiceHarness.Approver1, grant.Id))!.Select(e => e.Id));
        Assert.Null(await harness.Requests.ExtensionsOfAsync(ServiceHarness.NorthwindApprover, grant.Id));
    }

    [Fact]
    public async Task AGrantToken_AfterTheExtension_MayOutlastTheOldEnd_NeverTheNewOne()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        await ApprovedExtensionAsync(harness, grant.Id, TimeSpan.FromMinutes(15));
        var tokens = harness.Services.GetRequiredService<Features.ApiTokens.GrantTokenService>();

        harness.Time.SetUtcNow(grant.GrantEndsAt!.Value - TimeSpan.FromMinutes(1));
        Assert.Equal(harness.Time.GetUtcNow() + Features.ApiTokens.GrantTokenService.MaxLifetime, (await tokens.IssueAsync(ServiceHarness.Engineer, grant.Id)).ExpiresAt);
        harness.Time.SetUtcNow(grant.GrantEndsAt!.Value + TimeSpan.FromMinutes(13));
        Assert.Equal(grant.GrantEndsAt + TimeSpan.FromMinutes(15), (await tokens.IssueAsync(ServiceHarness.Engineer, grant.Id)).ExpiresAt);
    }

    [Fact]
    public async Task ItCarriesTheGrantsReasonAndTicket_AndAReasonTheTenantNowRefuses_RefusesIt()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();

        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(1), Why);
        Assert.Equal((RequestReason.CustomerSupport, "SR-1"), (extension.Reason, extension.TicketReference));
        Assert.Contains("\"reason\":\"CustomerSupport\"", (await harness.AuditAsync(extension.Id))[0].DetailsJson, StringComparison.Ordinal);
        await harness.Requests.CancelAsync(ServiceHarness.Engineer, extension.Id);

        await harness.SetPolicyAsync(harness.Contoso, p => p with { RefusedReasons = RequestReasons.CustomerSupport });
        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(1), Why));

        Assert.Contains("does not accept", Assert.Single(refused.Errors[nameof(AccessRequest.Reason)]), StringComparison.Ordinal);
        await using var db = harness.NewContext();
        Assert.Equal(1, await db.AccessRequests.CountAsync(r => r.ExtendsRequestId == grant.Id));
    }

    [Fact]
    public async Task WithTheCatalogueRequired_TheWholeGrant_ExtensionsIncluded_StaysWithinItsLongestDuration()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var wide = await harness.ApproverList.AddCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, "Exchange:mailbox/*", AccessLevel.Read, TimeSpan.FromHours(6));
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequireCatalogue = true });
        var grant = await harness.ApprovedAsync();
        var start = grant.GrantStartsAt!.Value;

        // Filed for 4 h under a 6 h entry: 2 h are left, not the tenant's 8 h maximum.
        Assert.Equal(TimeSpan.FromHours(2), (await harness.Requests.ActionsAsync(ServiceHarness.Engineer, grant)).ExtendUpTo);
        Assert.Contains("up to 2 h more", await MinutesProblemAsync(harness, grant.Id, TimeSpan.FromHours(3)), StringComparison.Ordinal);

        // The catalogue tightened while the extension waited: its approval counts today's entry.
        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grant.Id, TimeSpan.FromHours(2), Why);
        await harness.ApproverList.AddCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, "Exchange:mailbox/ana@contoso.com", AccessLevel.Read, TimeSpan.FromHours(5));
        await harness.ApproverList.RemoveCatalogueEntryAsync(ServiceHarness.ContosoOfficer, harness.Contoso, wide!.Id);
        await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");
        await harness.Requests.DecideAsync(ServiceHarness.Approver1, extension.Id, approve: true, "ok");
        Assert.Equal(start + TimeSpan.FromHours(5), (await StoredAsync(harness, grant.Id)).GrantEndsAt);

        Assert.Null((await harness.Requests.ActionsAsync(ServiceHarness.Engineer, await StoredAsync(harness, grant.Id))).ExtendUpTo);
        Assert.Contains("scope catalogue allows", await MinutesProblemAsync(harness, grant.Id, TimeSpan.FromMinutes(15)), StringComparison.Ordinal);
    }

    /// <summary>Files an extension and has the manager and one customer approver approve it.</summary>
    private static async Task<AccessRequest> ApprovedExtensionAsync(ServiceHarness harness, Guid grantId, TimeSpan more)
    {
        var extension = await harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grantId, more, Why);
        await harness.Requests.DecideAsync(ServiceHarness.Manager, extension.Id, approve: true, "ok");
        return await harness.Requests.DecideAsync(ServiceHarness.Approver1, extension.Id, approve: true, "ok");
    }

    private static async Task<string> MinutesProblemAsync(ServiceHarness harness, Guid grantId, TimeSpan more)
    {
        var refused = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.FileExtensionAsync(ServiceHarness.Engineer, grantId, more, Why));
        return Assert.Single(refused.Errors["Minutes"]);
    }

    private static async Task<Guid> ScheduledGrantAsync(ServiceHarness harness)
    {
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { StartsAt = harness.Time.GetUtcNow().AddHours(6) });
        await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");
        return (await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, filed.Id, approve: true, "ok")).Id;
    }

    private static async Task<AccessRequest> StoredAsync(ServiceHarness harness, Guid id)
    {
        await using var db = harness.NewContext();
        return await db.AccessRequests.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    private static Task<AccessVerdict> CheckAsync(ServiceHarness harness) =>
        harness.Services.GetRequiredService<AccessCheckService>().CheckAsync(new AccessCheckInput("contoso", Cast.Engineer, Scope, AccessLevel.Read), DataPlane, null);
}
