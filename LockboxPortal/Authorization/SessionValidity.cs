using System.Security.Claims;
using LockboxPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Authorization;

/// <summary>
/// Is a signed-in session still good? Its account is active and its security stamp is the one storage holds: a new
/// stamp (signed out, password changed, roles changed, deactivated) ends every session that carries the old one.
/// One rule for the open pages (the revalidating authentication state) and the hub connections.
/// </summary>
public static class SessionValidity
{
    public static async Task<bool> IsCurrentAsync(LockboxDbContext db, ClaimsPrincipal principal, string securityStampClaimType, CancellationToken cancellationToken)
    {
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || principal.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        var stored = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.IsActive, u.SecurityStamp }).SingleOrDefaultAsync(cancellationToken);
        return stored is { IsActive: true }
            && string.Equals(principal.FindFirstValue(securityStampClaimType), stored.SecurityStamp, StringComparison.Ordinal);
    }
}
