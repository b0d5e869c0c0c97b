using Microsoft.AspNetCore.Authorization;

namespace LockboxPortal.Features.Audit;

public static class AuditRegistration
{
    /// <summary>The audit trail's readers and services (the writer, <see cref="AuditTrail"/>, is registered with the core).</summary>
    public static IServiceCollection AddLockboxAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditReader>();
        services.AddScoped<AuditService>();
        services.AddSingleton<IAuthorizationHandler, AuditAuthorizationHandler>();
        services.AddScoped<AuditCheckpoints>();
        services.AddSingleton<AuditCheckpointTimer>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditCheckpointTimer>());
        return services;
    }
}
