using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace LockboxPortal.Tests.Grants;

/// <summary>Helpers for driving the deadline timer and inspecting what it did.</summary>
internal static class GrantTestKit
{
    public static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private static readonly AuditEventType[] Transitions =
    [
        AuditEventType.AccessRequest_Expired, AuditEventType.Grant_Completed, AuditEventType.Grant_Revoked, AuditEventType.Grant_Released,
    ];

    /// <summary>Completes with the first pass that matches, after this call. Subscribe before causing the pass.</summary>
    public static Task<DeadlinePass> NextPassAsync(this DeadlineTimer timer, Func<DeadlinePass, bool>? match = null)
    {
        var passed = new TaskCompletionSource<DeadlinePass>(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<DeadlinePass>? handler = null;
        handler = pass =>
        {
            if (match?.Invoke(pass) ?? true)
            {
                timer.PassCompleted -= handler;
                passed.TrySetResult(pass);
            }
        };
        timer.PassCompleted += handler;

        // A guard against a hung test, not a wait for time to pass.
        return passed.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Starts the timer (its first pass runs inside StartAsync) and returns that first pass. Unless told otherwise the
    /// safety-net cap on a sleep is lifted, so what the test sees is the timer sleeping to stored deadlines alone.
    /// </summary>
    public static async Task<DeadlinePass> StartAndFirstPassAsync(this DeadlineTimer timer, bool keepSafetyNet = false)
    {
        if (!keepSafetyNet)
        {
            timer.MaxSleep = TimeSpan.FromDays(30);
        }

        var first = timer.NextPassAsync();
        await timer.StartAsync(CancellationToken.None);
        return await first;
    }

    public static async Task<AccessRequest> StoredAsync(this ServiceHarness harness, Guid requestId)
    {
        await using var db = harness.NewContext();
        return await db.AccessRequests.AsNoTracking().SingleAsync(r => r.Id == requestId);
    }

    /// <summary>The access decision on what storage holds for this grant, at the harness's now.</summary>
    public static async Task<AccessVerdict> DecideAccessAsync(this ServiceHarness harness, AccessRequest grant)
    {
        await using var db = harness.NewContext();
        var candidates = await db.AccessRequests.AsNoTracking()
            .Where(r => r.TenantId == grant.TenantId && r.RequesterId == grant.RequesterId)
            .ToListAsync();
        var query = new AccessQuery(grant.TenantId, grant.RequesterId, ResourceScope.Parse(grant.Scope), grant.AccessLevel);
        return AccessDecision.EvaluateOne(query, candidates.Single(r => r.Id == grant.Id), harness.Time.GetUtcNow());
    }

    /// <summary>The state-changing audit entries (expire, complete, revoke, release) per request.</summary>
    public static async Task<Dictionary<string, List<AuditEntry>>> TransitionsBySubjectAsync(this ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        var entries = await db.AuditEntries.AsNoTracking().Where(e => Transitions.Contains(e.EventType)).ToListAsync();
        return entries.GroupBy(e => e.SubjectId).ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>
    /// Writes pending requests that expire at <paramref name="due"/> and grants that end then, straight into storage
    /// (with decisions, without filing audit): fast enough for hundreds.
    /// </summary>
    public static async Task<List<Guid>> AddDueAsync(this ServiceHarness harness, int pending, int grants, DateTimeOffset due)
    {
        var engineer = new Actor(Cast.Engineer, Cast.Engineer);
        var manager = new Actor(Cast.Manager, Cast.Manager);
        var approver = new Actor(Cast.Approver1, Cast.Approver1);
        var policy = TenantPolicy.Default;
        var scope = ResourceScope.Parse("Exchange:mailbox/ana@contoso.com");
        var requests = new List<AccessRequest>();
        for (var i = 0; i < pending + grants; i++)
        {
            var isGrant = i >= pending;
            var filedAt = isGrant ? due - TimeSpan.FromHours(1) : due - policy.PendingLifetime;
            var request = AccessRequest.File(
                Guid.NewGuid(), $"LBX-T{i:D6}", harness.Contoso, engineer, scope, AccessLevel.Read,
                "Seeded for a timer test.", null, TimeSpan.FromMinutes(15), policy, filedAt, reason: RequestReason.Maintenance);
            if (isGrant || i % 2 == 0)
            {
                request.ApproveInternal(manager, null, 1, filedAt);
            }

            if (isGrant)
            {
                request.ApproveCustomer(approver, null, null, due - TimeSpan.FromMinutes(15));
            }

            requests.Add(request);
        }

        await using var db = harness.NewContext();
        db.AccessRequests.AddRange(requests);
        await db.SaveChangesAsync();
        return requests.Select(r => r.Id).ToList();
    }
}

/// <summary>
/// A second app instance over the harness's database: its own service provider (own connections, own timer,
/// own notifier), sharing only the database file and the fake clock.
/// </summary>
internal sealed class SecondInstance : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public SecondInstance(ServiceHarness harness)
    {
        _services = ServiceHarness.BuildProvider(harness.DatabasePath, harness.Time);
    }

    public DeadlineTimer Timer => _services.GetRequiredService<DeadlineTimer>();

    public async ValueTask DisposeAsync()
    {
        await Timer.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
