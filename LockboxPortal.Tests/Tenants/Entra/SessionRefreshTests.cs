using System.Security.Claims;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Tests.Tenants.Entra;

/// <summary>
/// Every minute the security-stamp check rebuilds the cookie's principal from storage. How the person signed in is
/// not in storage, so the app's hook must carry it over, or a directory sign-in would lose its amr and auth_time.
/// </summary>
public sealed class SessionRefreshTests
{
    [Fact]
    public async Task TheMinutelyRefresh_KeepsHowThePersonSignedIn()
    {
        using var folder = new TempFolder();
        await using var factory = new PortalFactory(folder.File("lockbox.db"));
        var options = factory.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;
        var signedIn = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, "someone"),
            new Claim(ClaimTypes.AuthenticationMethod, DirectorySession.Method),
            new Claim(DirectorySession.MethodsClaim, "pwd"),
            new Claim(DirectorySession.MethodsClaim, "mfa"),
            new Claim(DirectorySession.AuthTimeClaim, "1780000000"),
        ], IdentityConstants.ApplicationScheme));
        var rebuilt = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "someone")], IdentityConstants.ApplicationScheme));
        var context = new SecurityStampRefreshingPrincipalContext { CurrentPrincipal = signedIn, NewPrincipal = rebuilt };

        Assert.NotNull(options.OnRefreshingPrincipal);
        await options.OnRefreshingPrincipal(context);

        Assert.True(DirectorySession.IsDirectorySignIn(rebuilt));
        Assert.Equal(["pwd", "mfa"], rebuilt.FindAll(DirectorySession.MethodsClaim).Select(c => c.Value));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1780000000), DirectorySession.AuthenticatedAt(rebuilt));
    }
}
