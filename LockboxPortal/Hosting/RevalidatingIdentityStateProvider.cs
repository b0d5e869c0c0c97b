using LockboxPortal.Authorization;
using LockboxPortal.Data;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Hosting;

/// <summary>
/// Re-checks an open Blazor circuit's user every minute: a deactivated account, or one whose security stamp
/// changed (new roles, new password, signed out elsewhere), loses its pages without waiting for a reload.
/// </summary>
internal sealed class RevalidatingIdentityStateProvider(
    ILoggerFactory loggerFactory,
    IDbContextFactory<LockboxDbContext> dbFactory,
    IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await SessionValidity.IsCurrentAsync(db, authenticationState.User, options.Value.ClaimsIdentity.SecurityStampClaimType, cancellationToken);
    }
}
