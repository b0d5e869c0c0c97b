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

    public static IServiceCollection AddLockboxIdentity(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

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

        // A deactivated person or a changed role (security stamp) loses their cookie within this interval.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthorization(options => options.AddLockboxPolicies());
        return services;
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
