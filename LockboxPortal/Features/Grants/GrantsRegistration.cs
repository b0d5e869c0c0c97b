namespace LockboxPortal.Features.Grants;

public static class GrantsRegistration
{
    /// <summary>
    /// The grant service, what closes an offboarded person's requests, the deadline timer (a hosted service) and the
    /// signal that wakes it, and the access check's coalesced refusals with their flusher (a hosted service).
    /// </summary>
    public static IServiceCollection AddLockboxGrants(this IServiceCollection services)
    {
        services.AddSingleton<DeadlineSignal>();
        services.AddScoped<GrantService>();
        services.AddScoped<OpenRequestCloser>();
        services.AddSingleton<GrantEventStream>();
        services.AddScoped<IDeadlineSource>(sp => sp.GetRequiredService<GrantService>());
        services.AddSingleton<DeadlineTimer>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadlineTimer>());
        services.AddSingleton<RefusalCoalescer>();
        services.AddSingleton<RefusalCountFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<RefusalCountFlusher>());
        return services;
    }
}
