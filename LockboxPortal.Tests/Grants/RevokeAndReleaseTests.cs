using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;
using System.Security.Claims;

namespace LockboxPortal.Tests.Grants;

/// <summary>DESIGN.md rule 7 and the engineer's release: ending a grant early, alone and racing each other or the grant's end.</summary>
public sealed class RevokeAndReleaseTests
{
    public static TheoryData<string> Revokers => [Cast.Approver1, Cast.Approver2, Cast.ContosoOfficer];

    [Theory]
    [MemberData(nameof(Revokers))]
    public async Task Revoke_ByATenantApproverOrOfficer_EndsTheGrant_AndAccessIsRefusedFromThatInstant(string revoker)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.True((await harness.DecideAccessAsync(grant)).IsAllowed);

        var revoked = await harness.Grants.RevokeAsync(ServiceHarness.As(revoker), grant.Id, "  The customer closed the case.  ");

        var now = harness.Time.GetUtcNow();
        Assert.Equal(RequestStatus.Revoked, revoked.Status);
        Assert.Equal(now, revoked.GrantEndsAt);
        Assert.Equal(now, revoked.ClosedAt);
        Assert.Equal(AccessDecisionReason.GrantRevoked, (await harness.DecideAccessAsync(grant)).Reason);
        var entry = Assert.Single(await harness.AuditAsync(grant.Id), e => e.EventType == AuditEventType.Grant_Revoked);
        Assert.Equal(revoker, entry.ActorId);
        Assert.Contains("The customer closed the case.", entry.DetailsJson, StringComparison.Ordinal);
    }

    public static TheoryData<string, Type> NotRevokers => new()
    {
        { Cast.Engineer, typeof(ForbiddenException) },
        { Cast.Manager, typeof(ForbiddenException) },
        { Cast.ContosoAdminNotApprover, typeof(ForbiddenException) },
        { Cast.NorthwindApprover, typeof(NotFoundException) },
        { Cast.NorthwindOfficer, typeof(NotFoundException) },
    };

    [Theory]
    [MemberData(nameof(NotRevokers))]
    public async Task Revoke_BySomeoneWithoutAuthorityOverTheTenant_IsRefused_AndTheGrantStays(string who, Type refusal)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();

        var ex = await Assert.ThrowsAnyAsync<LockboxRuleException>(() => harness.Grants.RevokeAsync(ServiceHarness.As(who), grant.Id, "because"));

        Assert.IsType(refusal, ex);
        Assert.Equal(RequestStatus.Approved, (await harness.StoredAsync(grant.Id)).Status);
        Assert.Contains(await harness.AuditAsync(), e => e.EventType == AuditEventType.Operation_Refused && e.ActorId == who);
    }

    [Fact]
    public async Task Revoke_WithoutAReason_IsRefused_AndWritesNothing()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();

        await Assert.ThrowsAsync<InvalidInputException>(() => harness.Grants.RevokeAsync(ServiceHarness.Approver1, grant.Id, "   "));

        Assert.Equal(RequestStatus.Approved, (await harness.StoredAsync(grant.Id)).Status);
        Assert.DoesNotContain(await harness.AuditAsync(grant.Id), e => e.EventType == AuditEventType.Grant_Revoked);
    }

    [Fact]
    public async Task Revoke_AfterTheGrantEnded_IsRefused_EvenBeforeTheTimerClosedIt()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        harness.Time.SetUtcNow(grant.GrantEndsAt!.Value);

        await Assert.ThrowsAsync<DeadlinePassedException>(() => harness.Grants.RevokeAsync(ServiceHarness.Approver1, grant.Id, "too late"));

        Assert.Equal(RequestStatus.Approved, (await harness.StoredAsync(grant.Id)).Status);
        Assert.Equal(AccessDecisionReason.GrantEnded, (await harness.DecideAccessAsync(grant)).Reason);
    }

    [Fact]
    public async Task Release_ByTheEngineer_EndsTheGrant_AndAccessIsRefusedFromThatInstant()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(10));

        var released = await harness.Grants.ReleaseAsync(ServiceHarness.Engineer, grant.Id);

        Assert.Equal(RequestStatus.Completed, released.Status);
        Assert.Equal(harness.Time.GetUtcNow(), released.GrantEndsAt);
        Assert.Equal(AccessDecisionReason.GrantEnded, (await harness.DecideAccessAsync(grant)).Reason);
        var entry = Assert.Single(await harness.AuditAsync(grant.Id), e => e.EventType == AuditEventType.Grant_Released);
        Assert.Equal(Cast.Engineer, entry.ActorId);
    }

    [Theory]
    [InlineData(Cast.Engineer2)]
    [InlineData(Cast.Approver1)]
    public async Task Release_BySomeoneOtherThanTheEngineer_IsRefused(string who)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();

        await Assert.ThrowsAnyAsync<LockboxRuleException>(() => harness.Grants.ReleaseAsync(ServiceHarness.As(who), grant.Id));

        Assert.Equal(RequestStatus.Approved, (await harness.StoredAsync(grant.Id)).Status);
    }

    [Fact]
    public async Task Revoke_AfterTheTimerCompletedTheGrant_IsAlreadyDecided()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        Assert.Equal(1, await harness.Grants.CompleteDueAsync(grant.GrantEndsAt!.Value));

        var ex = await Assert.ThrowsAsync<InvalidTransitionException>(() => harness.Grants.RevokeAsync(ServiceHarness.Approver1, grant.Id, "late"));
        Assert.Equal("already-decided", ex.Code);
    }

    [Fact]
    public async Task Timer_AfterARevoke_FindsNothingToComplete()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        await harness.Grants.RevokeAsync(ServiceHarness.Approver1, grant.Id, "done");

        Assert.Equal(0, await harness.Grants.CompleteDueAsync(grant.GrantEndsAt!.Value));
        Assert.Equal(RequestStatus.Revoked, (await harness.StoredAsync(grant.Id)).Status);
    }

    /// <summary>
    /// The revoke runs one tick before the end (still allowed) while the timer, running on its own idea of now, applies
    /// the end: both pass the state machine on what they read, and storage lets exactly one win.
    /// </summary>
    [Fact]
    public async Task RevokeRacingTheGrantEnd_EndsWithExactlyOneOutcome_AndAccessRefusedFromIt()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        for (var round = 0; round < 8; round++)
        {
            var grant = await harness.ApprovedAsync();
            var end = grant.GrantEndsAt!.Value;
            harness.Time.SetUtcNow(end - GrantTestKit.Tick);

            var revoke = Task.Run(() => harness.Grants.RevokeAsync(ServiceHarness.Approver1, grant.Id, "racing the end"));
            var complete = Task.Run(() => harness.Grants.CompleteDueAsync(end));
            var (revoked, refusal) = await OutcomeAsync(revoke);
            var completed = await complete;

            var stored = await harness.StoredAsync(grant.Id);
            var transition = Assert.Single((await harness.TransitionsBySubjectAsync())[grant.Id.ToString()]);
            if (revoked)
            {
                Assert.Equal(0, completed);
                Assert.Equal(RequestStatus.Revoked, stored.Status);
                Assert.Equal(AuditEventType.Grant_Revoked, transition.EventType);
                Assert.Equal(AccessDecisionReason.GrantRevoked, (await harness.DecideAccessAsync(grant)).Reason);
            }
            else
            {
                Assert.Equal(1, completed);
                Assert.True(refusal is InvalidTransitionException or ConcurrentChangeException, refusal?.ToString());
                Assert.Equal(RequestStatus.Completed, stored.Status);
                Assert.Equal(AuditEventType.Grant_Completed, transition.EventType);
                Assert.Equal(AccessDecisionReason.GrantEnded, (await harness.DecideAccessAsync(grant)).Reason);
            }
        }
    }

    [Fact]
    public async Task RevokeRacingRelease_EndsWithExactlyOneOutcome_AndAccessRefusedFromIt()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        for (var round = 0; round < 8; round++)
        {
            var grant = await harness.ApprovedAsync();
            harness.Time.Advance(TimeSpan.FromMinutes(5));

            var revoke = Task.Run(() => harness.Grants.RevokeAsync(ServiceHarness.ContosoOfficer, grant.Id, "racing the release"));
            var release = Task.Run(() => harness.Grants.ReleaseAsync(ServiceHarness.Engineer, grant.Id));
            var (revoked, revokeRefusal) = await OutcomeAsync(revoke);
            var (released, releaseRefusal) = await OutcomeAsync(release);

            Assert.True(revoked ^ released, $"revoked: {revoked}, released: {released}");
            var loser = revoked ? releaseRefusal : revokeRefusal;
            Assert.True(loser is InvalidTransitionException or ConcurrentChangeException, loser?.ToString());
            var stored = await harness.StoredAsync(grant.Id);
            var transition = Assert.Single((await harness.TransitionsBySubjectAsync())[grant.Id.ToString()]);
            Assert.Equal(revoked ? RequestStatus.Revoked : RequestStatus.Completed, stored.Status);
            Assert.Equal(revoked ? AuditEventType.Grant_Revoked : AuditEventType.Grant_Released, transition.EventType);
            Assert.Equal(harness.Time.GetUtcNow(), stored.GrantEndsAt);
            Assert.False((await harness.DecideAccessAsync(grant)).IsAllowed);
        }
    }

    [Fact]
    public async Task ActiveGrants_ListedForTheTenantsApproversAndOfficer_AndForTheEngineer_NotForOthers()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var contoso = await harness.ApprovedAsync();
        var northwind = await harness.ApprovedAsync(harness.Northwind, "Sql:database/orders");
        await harness.PendingCustomerAsync(scope: "Exchange:mailbox/ben@contoso.com");

        async Task<IEnumerable<Guid>> TenantListAsync(ClaimsPrincipal who) =>
            (await harness.Grants.ListActiveForTenantsAsync(who)).Select(g => g.RequestId);

        Assert.Equal([contoso.Id], await TenantListAsync(ServiceHarness.Approver1));
        Assert.Equal([contoso.Id], await TenantListAsync(ServiceHarness.ContosoOfficer));
        Assert.Equal([northwind.Id], await TenantListAsync(ServiceHarness.NorthwindApprover));
        Assert.Empty(await TenantListAsync(ServiceHarness.As(Cast.ContosoAdminNotApprover)));
        Assert.Empty(await TenantListAsync(ServiceHarness.Engineer));
        Assert.Equal(2, (await harness.Grants.ListMyActiveAsync(ServiceHarness.Engineer)).Count);
        Assert.Empty(await harness.Grants.ListMyActiveAsync(ServiceHarness.Engineer2));

        // An ended window is not active, whether or not the timer has closed it yet.
        harness.Time.SetUtcNow(contoso.GrantEndsAt!.Value);
        Assert.Empty(await TenantListAsync(ServiceHarness.Approver1));
    }

    private static async Task<(bool Succeeded, Exception? Refusal)> OutcomeAsync(Task task)
    {
        try
        {
            await task;
            return (true, null);
        }
        catch (LockboxRuleException ex)
        {
            return (false, ex);
        }
    }
}
