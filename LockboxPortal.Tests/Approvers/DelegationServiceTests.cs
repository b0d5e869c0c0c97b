using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ServiceHarness;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// DESIGN.md rule 4 through the services on real storage: a delegation gives authority only inside its window, only
/// from a direct approver, never along a chain, and stops the moment it is revoked.
/// </summary>
public sealed class DelegationServiceTests
{
    private static readonly ClaimsPrincipal ContosoAdmin = As(Cast.ContosoAdminNotApprover);

    public static TheoryData<string, double, double, double, bool> Windows => new()
    {
        // name, starts after (hours; 0 = now), lasts (hours), hours passed before deciding, may decide
        { "active now", 0, 24, 1, true },
        { "a future window, not yet usable", 2, 24, 1, false },
        { "a future window, once it has started", 2, 24, 3, true },
        { "an ended window is refused", 0, 2, 3, false },
        { "refused at the exact end", 0, 2, 2, false },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task Delegate_MayDecide_OnlyInsideTheWindow(string name, double startsAfterHours, double lastsHours, double passedHours, bool mayDecide)
    {
        await using var harness = await CreateAsync();
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover,
            startsAfterHours == 0 ? null : TimeSpan.FromHours(startsAfterHours), TimeSpan.FromHours(lastsHours));
        var pending = await harness.PendingCustomerAsync();

        harness.Time.Advance(TimeSpan.FromHours(passedHours));

        var queue = await harness.Requests.ListCustomerQueueAsync(ContosoAdmin);
        Assert.True(mayDecide == queue.Any(r => r.Request.Id == pending.Id), $"{name}: queue");
        if (mayDecide)
        {
            var approved = await harness.Requests.DecideCustomerAsync(ContosoAdmin, pending.Id, approve: true, "ok");
            var decision = approved.Decisions[^1];
            Assert.Equal(Cast.ContosoAdminNotApprover, decision.DeciderId);
            Assert.Equal(Cast.Approver1, decision.OnBehalfOfId);
            Assert.Equal(RequestStatus.Approved, approved.Status);
        }
        else
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(ContosoAdmin, pending.Id, approve: true, "ok"));
            Assert.Empty((await harness.Requests.GetAsync(Approver1, pending.Id))!.Request.CustomerApprovals);
        }
    }

    public static TheoryData<string, string, string, double, double, string, DelegationRule> Refusals => new()
    {
        // name, delegator (acting for themselves), delegate, starts after (hours), lasts (hours), reason, rule
        { "to oneself", Cast.Approver1, Cast.Approver1, 0, 24, "Holiday", DelegationRule.ToSelf },
        { "to a non-TenantAdmin (the officer)", Cast.Approver1, Cast.ContosoOfficer, 0, 24, "Holiday", DelegationRule.DelegateNotTenantAdmin },
        { "to a provider engineer", Cast.Approver1, Cast.Engineer, 0, 24, "Holiday", DelegationRule.DelegateNotTenantAdmin },
        { "to another tenant's user", Cast.Approver1, Cast.NorthwindApprover, 0, 24, "Holiday", DelegationRule.DelegateNotTenantAdmin },
        { "to nobody who exists", Cast.Approver1, "no-such-user", 0, 24, "Holiday", DelegationRule.DelegateNotTenantAdmin },
        { "by a TenantAdmin not on the list", Cast.ContosoAdminNotApprover, Cast.Approver3, 0, 24, "Holiday", DelegationRule.DelegatorNotApprover },
        { "for more than 30 days", Cast.Approver1, Cast.Approver2, 0, 30 * 24 + 1, "Long leave", DelegationRule.TooLong },
        { "starting in the past", Cast.Approver1, Cast.Approver2, -1, 24, "Holiday", DelegationRule.StartsInPast },
        { "without a reason", Cast.Approver1, Cast.Approver2, 0, 24, "", DelegationRule.ReasonRequired },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Create_BreakingARule_IsRefused_Audited_AndWritesNothing(
        string name, string delegatorId, string delegateId, double startsAfterHours, double lastsHours, string reason, DelegationRule rule)
    {
        await using var harness = await CreateAsync();

        var ex = await Assert.ThrowsAsync<DelegationRefusedException>(() => harness.DelegateAsync(As(delegatorId), delegatorId, delegateId,
            startsAfterHours == 0 ? null : TimeSpan.FromHours(startsAfterHours), TimeSpan.FromHours(lastsHours), reason));

        Assert.True(ex.Rule == rule, $"{name}: expected {rule}, got {ex.Rule}");
        await using var db = harness.NewContext();
        Assert.Empty(await db.Delegations.ToListAsync());
        var refused = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused));
        Assert.Equal(ex.Code, refused.Details().GetProperty("reason").GetString());
    }

    public static TheoryData<string, string, string?, Type> Chains => new()
    {
        // name, who acts, whose authority they try to lend (null: their own), expected refusal
        { "the delegate passes it on as their own", Cast.ContosoAdminNotApprover, null, typeof(DelegationRefusedException) },
        { "the delegate passes on the delegator's authority", Cast.ContosoAdminNotApprover, Cast.Approver1, typeof(ForbiddenException) },
        { "an officer passes it on for the delegate", Cast.ContosoOfficer, Cast.ContosoAdminNotApprover, typeof(DelegationRefusedException) },
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public async Task Create_AlongAChain_IsRefused(string name, string actorId, string? delegatorId, Type refusal)
    {
        await using var harness = await CreateAsync();
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover);

        var ex = await Record.ExceptionAsync(() => harness.DelegateAsync(As(actorId), delegatorId ?? actorId, Cast.Approver3));

        Assert.True(ex?.GetType() == refusal, $"{name}: got {ex?.GetType().Name ?? "no refusal"}");
        if (ex is DelegationRefusedException refused)
        {
            Assert.Equal(DelegationRule.DelegateCannotDelegate, refused.Rule);
        }

        await using var db = harness.NewContext();
        Assert.Single(await db.Delegations.ToListAsync());
    }

    [Fact]
    public async Task ADelegateWhoIsAlsoAnApprover_CountsOnce()
    {
        await using var harness = await CreateAsync();
        await harness.RequireApprovalsAsync(2);
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2);
        var pending = await harness.PendingCustomerAsync();

        var first = await harness.Requests.DecideCustomerAsync(Approver2, pending.Id, approve: true, "mine");
        var second = await Assert.ThrowsAsync<AlreadyCountedException>(() => harness.Requests.DecideCustomerAsync(Approver2, pending.Id, approve: true, "and Alex's"));

        Assert.Null(first.Decisions[^1].OnBehalfOfId);
        Assert.Contains(Cast.Approver2, second.Message, StringComparison.Ordinal);
        var row = (await harness.Requests.GetAsync(Approver2, pending.Id))!.Request;
        Assert.Equal(RequestStatus.PendingCustomer, row.Status);
        Assert.Single(row.CustomerApprovals);
    }

    [Fact]
    public async Task ADelegator_WhoseDelegateApprovedForThem_IsNotCountedAgain()
    {
        await using var harness = await CreateAsync();
        await harness.RequireApprovalsAsync(2);
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover);
        var pending = await harness.PendingCustomerAsync();

        await harness.Requests.DecideCustomerAsync(ContosoAdmin, pending.Id, approve: true, "for Alex");
        await Assert.ThrowsAsync<AlreadyCountedException>(() => harness.Requests.DecideCustomerAsync(Approver1, pending.Id, approve: true, "me too"));
        var approved = await harness.Requests.DecideCustomerAsync(Approver3, pending.Id, approve: true, "second person");

        Assert.Equal(RequestStatus.Approved, approved.Status);
        Assert.Equal(2, approved.CustomerApprovals.Count);
    }

    public static TheoryData<string, string> Revokers => new()
    {
        { "the officer", Cast.ContosoOfficer },
        { "the delegator", Cast.Approver1 },
        { "the delegate", Cast.ContosoAdminNotApprover },
    };

    [Theory]
    [MemberData(nameof(Revokers))]
    public async Task ADelegationRevokedMidReview_StopsTheDelegateAtOnce(string name, string revokerId)
    {
        await using var harness = await CreateAsync();
        var delegation = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover);
        var pending = await harness.PendingCustomerAsync();
        Assert.Contains(await harness.Requests.ListCustomerQueueAsync(ContosoAdmin), r => r.Request.Id == pending.Id);
        var changes = new List<ApproverChange>();
        using var subscription = harness.Services.GetRequiredServiceOf<ApproverNotifier>().Subscribe(c =>
        {
            changes.Add(c);
            return Task.CompletedTask;
        });

        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await harness.Delegations.RevokeDelegationAsync(As(revokerId), delegation.Id);

        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(ContosoAdmin, pending.Id, approve: true, "ok"));
        Assert.Empty(await harness.Requests.ListCustomerQueueAsync(ContosoAdmin));
        Assert.True(changes.Any(c => c.Kind == ApproverChangeKind.DelegationRevoked && c.TenantId == harness.Contoso), $"{name}: open pages are told");
        var revoked = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Revoked));
        Assert.Equal(revokerId, revoked.ActorId);
    }

    [Fact]
    public async Task ADelegatorRemovedFromTheList_LendsNothing()
    {
        await using var harness = await CreateAsync();
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover);
        var pending = await harness.PendingCustomerAsync();

        await harness.ApproverList.RemoveApproverAsync(ContosoOfficer, harness.Contoso, Cast.Approver1);

        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(ContosoAdmin, pending.Id, approve: true, "ok"));
        var revoked = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Revoked));
        Assert.Equal(Cast.ContosoOfficer, revoked.ActorId);
    }

    [Fact]
    public async Task ADelegatorWhoseRoleIsLowered_LendsNothing()
    {
        await using var harness = await CreateAsync();
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover);
        var pending = await harness.PendingCustomerAsync();

        await using (var db = harness.NewContext())
        {
            await db.Memberships.Where(m => m.UserId == Cast.Approver1 && m.Role == PortalRole.TenantAdmin).ExecuteDeleteAsync();
        }

        await Assert.ThrowsAsync<ForbiddenException>(() => harness.Requests.DecideCustomerAsync(ContosoAdmin, pending.Id, approve: true, "ok"));
    }

    public static TheoryData<string, string, string?, Type?> CreateMatrix => new()
    {
        // name, who acts, for whom, expected refusal (null: allowed)
        { "an approver for themselves", Cast.Approver1, Cast.Approver1, null },
        { "the officer for an approver", Cast.ContosoOfficer, Cast.Approver1, null },
        { "another approver for them", Cast.Approver3, Cast.Approver1, typeof(ForbiddenException) },
        { "a TenantAdmin not on the list for an approver", Cast.ContosoAdminNotApprover, Cast.Approver1, typeof(ForbiddenException) },
        { "another tenant's officer", Cast.NorthwindOfficer, Cast.Approver1, typeof(NotFoundException) },
        { "a provider engineer", Cast.Engineer, Cast.Approver1, typeof(NotFoundException) },
    };

    [Theory]
    [MemberData(nameof(CreateMatrix))]
    public async Task Create_IsAllowedOnlyForTheApproverOrTheirOfficer(string name, string actorId, string? delegatorId, Type? refusal)
    {
        await using var harness = await CreateAsync();

        var ex = await Record.ExceptionAsync(() => harness.DelegateAsync(As(actorId), delegatorId ?? actorId, Cast.Approver2));

        Assert.True(ex?.GetType() == refusal, $"{name}: got {ex?.GetType().Name ?? "allowed"}");
        if (refusal is not null)
        {
            Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Operation_Refused));
        }
    }

    public static TheoryData<string, string, Type?> RevokeMatrix => new()
    {
        { "the delegate", Cast.Approver2, null },
        { "the delegator", Cast.Approver1, null },
        { "the officer", Cast.ContosoOfficer, null },
        { "another approver", Cast.Approver3, typeof(ForbiddenException) },
        { "another tenant's officer", Cast.NorthwindOfficer, typeof(NotFoundException) },
    };

    [Theory]
    [MemberData(nameof(RevokeMatrix))]
    public async Task Revoke_IsAllowedForEitherSideOrTheOfficer(string name, string actorId, Type? refusal)
    {
        await using var harness = await CreateAsync();
        var delegation = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2);

        var ex = await Record.ExceptionAsync(() => harness.Delegations.RevokeDelegationAsync(As(actorId), delegation.Id));

        Assert.True(ex?.GetType() == refusal, $"{name}: got {ex?.GetType().Name ?? "allowed"}");
    }

    [Fact]
    public async Task Revoke_Twice_SaysItWasAlreadyRevoked()
    {
        await using var harness = await CreateAsync();
        var delegation = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2);
        await harness.Delegations.RevokeDelegationAsync(Approver2, delegation.Id);

        await Assert.ThrowsAsync<DelegationClosedException>(() => harness.Delegations.RevokeDelegationAsync(Approver1, delegation.Id));
        Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Revoked));
    }

    [Fact]
    public async Task Create_OverlappingTheSamePair_IsRefused()
    {
        await using var harness = await CreateAsync();
        await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2, lasts: TimeSpan.FromDays(2));

        var ex = await Assert.ThrowsAsync<DelegationRefusedException>(() =>
            harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2, startsAfter: TimeSpan.FromDays(1)));

        Assert.Equal(DelegationRule.Overlaps, ex.Rule);
    }

    [Fact]
    public async Task Lists_ShowUpcomingActiveAndPast_ToEachSideAndTheOfficer_AndNobodyElse()
    {
        await using var harness = await CreateAsync();
        var ended = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2, lasts: TimeSpan.FromHours(1));
        harness.Time.Advance(TimeSpan.FromHours(2));
        var active = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2);
        var upcoming = await harness.DelegateAsync(ContosoOfficer, Cast.Approver3, Cast.Approver2, startsAfter: TimeSpan.FromDays(3));

        var seenByDelegate = await harness.DelegationQueries.ListDelegationsAsync(Approver2);
        var seenByDelegator = await harness.DelegationQueries.ListDelegationsAsync(Approver1);
        var seenByOfficer = await harness.DelegationQueries.ListDelegationsAsync(ContosoOfficer);

        Assert.Equal(
            new[] { (ended.Id, DelegationStatus.Ended), (active.Id, DelegationStatus.Active), (upcoming.Id, DelegationStatus.Upcoming) },
            seenByDelegate.OrderBy(r => r.Delegation.StartsAt).Select(r => (r.Delegation.Id, r.Status)));
        Assert.Equal(2, seenByDelegator.Count);
        Assert.Equal(3, seenByOfficer.Count);
        Assert.False(seenByOfficer.Single(r => r.Delegation.Id == ended.Id).CanRevoke);
        Assert.True(seenByOfficer.Single(r => r.Delegation.Id == upcoming.Id).CanRevoke);
        Assert.Empty(await harness.DelegationQueries.ListDelegationsAsync(As(Cast.NorthwindOfficer)));
        Assert.Empty(await harness.DelegationQueries.ListDelegationsAsync(As(Cast.ContosoAdminNotApprover)));
    }

    [Fact]
    public async Task EndDueDelegations_RecordsEachNaturalEndOnce()
    {
        await using var harness = await CreateAsync();
        var delegation = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2, lasts: TimeSpan.FromHours(2));
        Assert.Equal(Start.AddHours(2), await harness.DelegationQueries.NextDelegationEndAsync());

        Assert.Equal(0, await harness.Delegations.EndDueDelegationsAsync(Start.AddHours(1)));
        harness.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await harness.Delegations.EndDueDelegationsAsync(harness.Time.GetUtcNow()));
        Assert.Equal(0, await harness.Delegations.EndDueDelegationsAsync(harness.Time.GetUtcNow()));

        Assert.Null(await harness.DelegationQueries.NextDelegationEndAsync());
        var ended = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Ended));
        Assert.Equal(delegation.Id.ToString(), ended.SubjectId);
        Assert.Equal("Active", ended.Details().GetProperty("before").GetProperty("status").GetString());
        Assert.Equal("Ended", ended.Details().GetProperty("after").GetProperty("status").GetString());
    }
}

internal static class ServiceProviderExtensions
{
    public static T GetRequiredServiceOf<T>(this IServiceProvider services)
        where T : notnull =>
        (T)(services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered."));
}
