using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Hosting;

/// <summary>
/// Puts the roles a person holds (anywhere) into their cookie, for page policies and the navigation.
/// Which tenant a role applies to is not trusted from the cookie: services read memberships again.
/// </summary>
public sealed class LockboxClaimsFactory(
    UserManager<PortalUser> userManager,
    IOptions<IdentityOptions> options,
    LockboxDbContext db)
    : UserClaimsPrincipalFactory<PortalUser>(userManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(LockboxClaims.DisplayName, user.ToActor().DisplayName));
        var roles = await db.Memberships.Where(m => m.UserId == user.Id).Select(m => m.Role).Distinct().ToListAsync();
        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(LockboxClaims.Role, role.ToString()));
        }

        return identity;
    }
}
