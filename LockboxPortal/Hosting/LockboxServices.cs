using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Features.Audit;
using MudBlazor.Services;

namespace LockboxPortal.Hosting;

public static class LockboxServices
{
    public static IServiceCollection AddLockboxPortal(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddLockboxDatabase(configuration, environment);
        services.AddLockboxIdentity();

        services.AddSingleton<AuditTrail>();
        services.AddSingleton<RequestNotifier>();
        services.AddScoped<SecurityAudit>();
        services.AddScoped<AccessRequestService>();
        services.AddLockboxLive();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddHttpContextAccessor();
        return services;
    }

    /// <summary>Migrates the database, then in Development seeds the demo data into an empty one.</summary>
    public static async Task PrepareLockboxAsync(this WebApplication app)
    {
        await app.Services.MigrateLockboxDatabaseAsync();
        if (app.Environment.IsDevelopment())
        {
            await DemoData.SeedIfEmptyAsync(app.Services, app.Configuration, Console.Out);
        }
    }
}
