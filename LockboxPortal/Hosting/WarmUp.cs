using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Hosting;

/// <summary>
/// Before the node listens, runs the queries its busiest pages run: a tenant approver's approval queue and a security
/// officer's newest page of the trail, through the same services and the one authorization path, as the first such
/// people found; the answers are discarded and nothing is written. Without it the first person to open one of those
/// pages after a start waits while the node translates and compiles those queries (a few hundred milliseconds on two
/// cores). <c>Hosting:WarmUpAtStart</c> (default true) turns it off; a failure is logged and never stops the start.
/// </summary>
public static class WarmUp
{
    public const string Key = "Hosting:WarmUpAtStart";

    /// <summary>What the warm-up read: which people it read as (null when none), and how many rows and entries it read.</summary>
    public sealed record Result(string? ApproverId, int QueueRows, string? OfficerId, int AuditEntries);

    public static async Task<Result?> WarmUpLockboxAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue(Key, true))
        {
            return null;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WarmUp));
        try
        {
            await using var scope = app.Services.CreateAsyncScope();
            var result = await RunAsync(scope.ServiceProvider, app.Lifetime.ApplicationStopping);
            logger.LogInformation("Warmed up: queue of {Approver} ({Rows} rows), trail of {Officer} ({Entries} entries)",
                result.ApproverId, result.QueueRows, result.OfficerId, result.AuditEntries);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The warm-up at start failed; the node starts anyway, and its first pages will be slower");
            return null;
        }
    }

    /// <summary>Reads the queue and the trail's newest page as the first active approver and officer in storage.</summary>
    public static async Task<Result> RunAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var approver = await FirstAsync(services, PortalRole.TenantAdmin, cancellationToken);
        var queueRows = 0;
        if (approver is not null)
        {
            var requests = services.GetRequiredService<AccessRequestService>();
            await requests.ListDecidableTenantsAsync(approver.Value.Principal, cancellationToken);
            queueRows = (await requests.ListCustomerQueueAsync(approver.Value.Principal, cancellationToken: cancellationToken)).Count;
        }

        var officer = await FirstAsync(services, PortalRole.SecurityOfficer, cancellationToken);
        var entries = 0;
        if (officer is not null)
        {
            var audit = services.GetRequiredService<AuditService>();
            var chains = await audit.ListReadableChainsAsync(officer.Value.Principal, cancellationToken);
            if (chains.FirstOrDefault(c => c.TenantId is not null) is { } chain)
            {
                entries = (await audit.QueryAsync(officer.Value.Principal, new AuditQuery(chain.TenantId), new AuditPageRequest(), cancellationToken)).Entries.Count;
            }
        }

        return new Result(approver?.UserId, queueRows, officer?.UserId, entries);
    }

    private static async Task<(string UserId, ClaimsPrincipal Principal)?> FirstAsync(IServiceProvider services, PortalRole role, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<LockboxDbContext>();
        var user = await db.Users.AsNoTracking()
            .Where(u => u.IsActive && db.Memberships.Any(m => m.UserId == u.Id && m.Role == role))
            .OrderBy(u => u.Id)
            .FirstOrDefaultAsync(cancellationToken);
        return user is null ? null : (user.Id, await services.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>().CreateAsync(user));
    }
}
