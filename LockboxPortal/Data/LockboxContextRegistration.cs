using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Data;

public static class LockboxContextRegistration
{
    /// <summary>
    /// Registers a provider's derived context so that the features ask only for <see cref="LockboxDbContext"/>:
    /// a factory for services (a context per operation) and a scoped context for Identity's stores.
    /// </summary>
    public static IServiceCollection AddLockboxDbContext<TContext>(this IServiceCollection services, Action<DbContextOptionsBuilder> configure)
        where TContext : LockboxDbContext
    {
        services.AddDbContextFactory<TContext>(configure);
        services.AddSingleton<IDbContextFactory<LockboxDbContext>, UpcastFactory<TContext>>();
        services.AddScoped<LockboxDbContext>(sp => sp.GetRequiredService<TContext>());
        return services;
    }

    private sealed class UpcastFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<LockboxDbContext>
        where TContext : LockboxDbContext
    {
        public LockboxDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
