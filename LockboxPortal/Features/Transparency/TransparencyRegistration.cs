namespace LockboxPortal.Features.Transparency;

public static class TransparencyRegistration
{
    /// <summary>Reports of what was done under a grant, the in-memory check counter and its flusher (a hosted service).</summary>
    public static IServiceCollection AddLockboxTransparency(this IServiceCollection services)
    {
        // From the app's configuration; a composition without one (the service tests, the benchmark) takes the defaults.
        services.AddOptions<TransparencyOptions>().Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(TransparencyOptions.Section).Bind(o));
        services.AddScoped<TransparencyService>();
        services.AddSingleton<CheckCounter>();
        services.AddSingleton<CheckCountFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<CheckCountFlusher>());
        return services;
    }
}
