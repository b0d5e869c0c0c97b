using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace LockboxPortal.Hosting;

public static class IdentitySetup
{
    public const string LoginPath = "/account/login";

    public static IServiceCollection AddLockboxIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();

        var authentication = services.AddAuthentication(options =>
        {
            options.DefaultScheme = IdentityConstants.ApplicationScheme;
            options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
        });
        authentication.AddIdentityCookies();
        authentication.AddLockboxEntra(configuration);

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = LoginPath;
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = "/account/access-denied";
            cookie.Cookie.Name = "lockbox.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });

        services.AddLockboxAccounts()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<LockboxClaimsFactory>();

        // A passkey answers only the portal's own pages: the browser's origin must be the address this request came to.
        services.Configure<IdentityPasskeyOptions>(passkeys => passkeys.ValidateOrigin = context =>
        {
            var request = context.HttpContext.Request;
            return ValueTask.FromResult(!context.CrossOrigin
                && string.Equals(context.Origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase));
        });

        // A deactivated person or a changed role (security stamp) loses their cookie within this interval.
        services.Configure<SecurityStampValidatorOptions>(options =>
        {
            options.ValidationInterval = TimeSpan.FromMinutes(1);
            options.OnRefreshingPrincipal = KeepHowTheySignedIn;
        });

        services.AddAuthorization(options => options.AddLockboxPolicies());
        return services;
    }

    /// <summary>
    /// The validator rebuilds the cookie's principal from storage; how this sign-in was made (a second factor, a
    /// directory sign-in with its <c>amr</c> and <c>auth_time</c>) is not in storage, so it is carried over.
    /// </summary>
    private static Task KeepHowTheySignedIn(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.NewPrincipal?.Identity is ClaimsIdentity renewed && context.CurrentPrincipal is { } current)
        {
            string[] kept = [ClaimTypes.AuthenticationMethod, DirectorySession.MethodsClaim, DirectorySession.AuthTimeClaim];
            foreach (var claim in current.Claims.Where(c => kept.Contains(c.Type) && !renewed.HasClaim(c.Type, c.Value)))
            {
                renewed.AddClaim(new Claim(claim.Type, claim.Value));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// People's accounts without the web host: the user manager with the portal's rules, the store (recovery codes
    /// kept as hashes) and the token providers two-factor sign-in uses. The app, the service tests and the benchmark
    /// compose the same accounts.
    /// </summary>
    public static IdentityBuilder AddLockboxAccounts(this IServiceCollection services) =>
        services.AddIdentityCore<PortalUser>(ConfigureIdentityOptions)
            .AddUserStore<LockboxUserStore>()
            .AddDefaultTokenProviders();

    /// <summary>Password, lockout and user rules; shared with the service tests so they check the same rules.</summary>
    public static void ConfigureIdentityOptions(IdentityOptions options)
    {
        // Version 3 adds Identity's passkey table (AspNetUserPasskeys).
        options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
        options.User.RequireUniqueEmail = true;
        options.SignIn.RequireConfirmedAccount = false;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        options.Lockout.AllowedForNewUsers = true;
        options.Password.RequiredLength = 12;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequireUppercase = false;
    }
}
