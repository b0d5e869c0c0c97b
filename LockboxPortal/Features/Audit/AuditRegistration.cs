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
        return services;
    }
}
