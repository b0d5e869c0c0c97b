using LockboxPortal.Api;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Features.Transparency;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Features.Webhooks;
using Microsoft.AspNetCore.Authorization;
using MudBlazor.Services;

namespace LockboxPortal.Hosting;

public static class LockboxServices
{
    public static IServiceCollection AddLockboxPortal(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddLockboxDatabase(configuration, environment);
        services.AddLockboxIdentity(configuration);

        services.AddLockboxFeatures();
        services.AddLockboxLive();
        services.AddLockboxEventTransport(configuration);
        services.AddLockboxTelemetry(configuration);
        services.AddLockboxApi(configuration);

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddScoped<ViewerTimeZone>();
        services.AddLockboxClientContext();
        services.AddLockboxWebSecurity(configuration, environment);
        services.AddSingleton(configuration.GetSection("SignIn:Throttle").Get<SignInThrottleOptions>() ?? new SignInThrottleOptions());
        services.AddSingleton<SignInThrottle>();
        return services;
    }

    /// <summary>The features' services, without the web host: the app and the service tests register the same set.</summary>
    public static IServiceCollection AddLockboxFeatures(this IServiceCollection services)
    {
        services.AddLockboxSeams();
        services.AddScoped<AuditWriter>();
        services.AddSingleton<RequestNotifier>();
        services.AddSingleton<PendingRows>();
        services.AddScoped<ClientContext>();
        services.AddScoped<OperationGate>();
        services.AddScoped<RequestGate>();

        // Registered with the features' services, so the app, the service tests and the benchmarks all get them.
        services.AddSingleton<IAuthorizationHandler, RequestAuthorizationHandler>();
        services.AddSingleton<IAuthorizationHandler, RequestCollectionAuthorizationHandler>();
        services.AddSingleton<IAuthorizationHandler, ApiTokenAuthorizationHandler>();
        services.AddScoped<SignInAudit>();
        services.AddLockboxAudit();
        services.AddScoped<AccessRequestService>();
        services.AddScoped<LockboxPortal.Features.AccessRequests.Signing.DecisionSigning>();
        services.AddSingleton<LockboxPortal.Features.AccessRequests.Signing.SignedDecisionVerifier>();
        services.AddLockboxApprovers();
        services.AddLockboxAdministration();
        services.AddLockboxGrants();
        services.AddLockboxNotifications();
        services.AddLockboxWebhooks();
        services.AddLockboxTransparency();
        services.AddScoped<ApiTokenService>();
        services.AddSingleton<TokenNotifier>();
        services.AddSingleton<ServiceClientTokenCache>();
        // A singleton for its caches; it names each entry's client itself, so it writes without a scope's.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<LockboxPortal.Features.Grants.AccessCheckService>(sp, AuditWriter.Unscoped(sp)));
        services.AddSingleton<GrantSigningKeyCache>();
        services.AddScoped<GrantTokenService>();
        return services;
    }

    /// <summary>
    /// Migrates the database, then in Development seeds the demo data into an empty one; elsewhere, while no provider
    /// admin exists, offers the one-time setup link instead (no demo accounts, no default password). Then warms up
    /// the busiest pages' queries (<see cref="WarmUp"/>).
    /// </summary>
    public static async Task PrepareLockboxAsync(this WebApplication app)
    {
        await app.Services.MigrateLockboxDatabaseAsync();
        if (app.Environment.IsDevelopment())
        {
            await DemoData.SeedIfEmptyAsync(app.Services, app.Configuration, Console.Out);
        }
        else
        {
            await app.OfferFirstStartSetupAsync();
        }

        await app.WarmUpLockboxAsync();
    }
}
