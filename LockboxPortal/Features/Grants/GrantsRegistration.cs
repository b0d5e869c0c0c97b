namespace LockboxPortal.Features.Grants;

public static class GrantsRegistration
{
    /// <summary>The grant service, the deadline timer (a hosted service) and the signal that wakes it.</summary>
    public static IServiceCollection AddLockboxGrants(this IServiceCollection services)
    {
        services.AddSingleton<DeadlineSignal>();
        services.AddScoped<GrantService>();
        services.AddScoped<IDeadlineSource>(sp => sp.GetRequiredService<GrantService>());
        services.AddSingleton<DeadlineTimer>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadlineTimer>());
        return services;
    }
}
