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

        services.AddIdentityCore<PortalUser>(ConfigureIdentityOptions)
            .AddUserStore<LockboxUserStore>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<LockboxClaimsFactory>()
            .AddDefaultTokenProviders();

        // A deactivated person or a changed role (security stamp) loses their cookie within this interval.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthorization(options => options.AddLockboxPolicies());
        services.AddSingleton<IAuthorizationHandler, RequestAuthorizationHandler>();
        return services;
    }

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
