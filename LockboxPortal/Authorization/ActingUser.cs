using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Authorization;

/// <summary>
/// The person behind an operation, with the roles storage says they hold right now. Services load it per
/// operation, so a removed role or a deactivated account stops working at once, whatever the cookie says.
/// <see cref="SecondFactor"/> says whether this sign-in was proven with a second factor (Identity marks a two-factor
/// sign-in with <c>amr=mfa</c>; a password-only cookie and an API token carry no such claim).
/// </summary>
public sealed record ActingUser(Actor Actor, MembershipSet Memberships, ClientInfo? Client = null, bool SecondFactor = false)
{
    public const string AuthenticationMethodClaim = "amr";
    public const string MultiFactor = "mfa";

    public string UserId => Actor.UserId;

    public static async Task<ActingUser> LoadAsync(LockboxDbContext db, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || principal.Identity?.IsAuthenticated != true)
        {
            throw new ForbiddenException("Sign in first.");
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || !user.IsActive)
        {
            throw new ForbiddenException("Your account is not active.");
        }

        var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).ToListAsync(cancellationToken);
        return new ActingUser(user.ToActor(), new MembershipSet(memberships), SecondFactor: ProvedSecondFactor(principal));
    }

    /// <summary>Whether this sign-in was proven with a second factor (<c>amr</c> holds <c>mfa</c>), locally or at the directory.</summary>
    public static bool ProvedSecondFactor(ClaimsPrincipal principal) => principal.HasClaim(AuthenticationMethodClaim, MultiFactor);
}
