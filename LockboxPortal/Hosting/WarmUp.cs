using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
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
            await requests.ListDecidableTenantsAsync(approver, cancellationToken);
            queueRows = (await requests.ListCustomerQueueAsync(approver, cancellationToken: cancellationToken)).Count;
        }

        var officer = await FirstAsync(services, PortalRole.SecurityOfficer, cancellationToken);
        var entries = 0;
        if (officer is not null)
        {
            var audit = services.GetRequiredService<AuditService>();
            var chains = await audit.ListReadableChainsAsync(officer, cancellationToken);
            if (chains.FirstOrDefault(c => c.TenantId is not null) is { } chain)
            {
                entries = (await audit.QueryAsync(officer, new AuditQuery(chain.TenantId), new AuditPageRequest(), cancellationToken)).Entries.Count;
            }
        }

        return new Result(approver?.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, queueRows,
            officer?.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, entries);
    }

    private static async Task<System.Security.Claims.ClaimsPrincipal?> FirstAsync(IServiceProvider services, PortalRole role, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<LockboxDbContext>();
        var userId = await db.Memberships.AsNoTracking()
            .Where(m => m.Role == role && db.Users.Any(u => u.Id == m.UserId && u.IsActive))
            .OrderBy(m => m.UserId)
            .Select(m => m.UserId)
            .FirstOrDefaultAsync(cancellationToken);
        if (userId is null)
        {
            return null;
        }

        var users = services.GetRequiredService<UserManager<PortalUser>>();
        return await users.FindByIdAsync(userId) is { } user
            ? await services.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>().CreateAsync(user)
            : null;
    }
}
