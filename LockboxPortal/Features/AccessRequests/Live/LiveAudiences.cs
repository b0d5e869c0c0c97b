using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>Loads a person's <see cref="LiveAudience"/> for a live component; null when storage no longer knows them as active.</summary>
public sealed class LiveAudiences(IDbContextFactory<LockboxDbContext> dbFactory)
{
    public async Task<LiveAudience?> ForAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            return await LiveAudience.LoadAsync(db, principal, cancellationToken);
        }
        catch (ForbiddenException)
        {
            return null;
        }
    }
}
