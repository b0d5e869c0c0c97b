using LockboxPortal.Data;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.AccessRequests.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;
using LockboxPortal.Features.Notifications;

namespace LockboxPortal.Hosting;

/// <summary>
/// The four places where a second implementation is coming (docs/decisions/0008), each chosen here and nowhere
/// else. Everything else in the portal is a concrete class.
/// </summary>
public static class LockboxSeams
{
    /// <summary>
    /// The database provider, by <c>Database:Provider</c>: <c>Sqlite</c> (the default, one file, one node) or
    /// <c>Postgres</c> (<c>ConnectionStrings:Postgres</c>, for several nodes).
    /// </summary>
    public static IDatabaseProvider DatabaseProvider(IConfiguration configuration, IHostEnvironment environment) =>
        configuration[DatabaseSetup.ProviderKey] switch
        {
            null or "" or "Sqlite" => new SqliteDatabaseProvider(DatabaseSetup.ResolveSqlitePath(configuration, environment)),
            "Postgres" => new PostgresDatabaseProvider(configuration.GetConnectionString(DatabaseSetup.PostgresConnectionName) is { Length: > 0 } postgres
                ? postgres
                : throw new InvalidOperationException($"{DatabaseSetup.ProviderKey} is Postgres, but ConnectionStrings:{DatabaseSetup.PostgresConnectionName} is not set.")),
            var other => throw new InvalidOperationException($"{DatabaseSetup.ProviderKey} is '{other}'; it must be Sqlite or Postgres."),
        };

    /// <summary>The event transport, the access check's candidates and the outbound messages.</summary>
    public static IServiceCollection AddLockboxSeams(this IServiceCollection services)
    {
        // In this process only; AddLockboxEventTransport puts Redis in its place when configured.
        services.AddSingleton<IEventTransport, InProcessEventTransport>();

        // Kept in memory on each node, read from storage once and forgotten when an event says it changed.
        services.AddSingleton<StoredAccessCandidates>();
        services.AddSingleton<AccessReadModel>();
        services.AddSingleton<IAccessCandidateSource>(provider => provider.GetRequiredService<AccessReadModel>());

        // Written to the outbox in the operation's transaction; the dispatcher sends it later (Features/Notifications).
        services.AddSingleton<IOutboundMessages, Outbox>();
        return services;
    }

    /// <summary>
    /// With <c>ConnectionStrings:Redis</c>, events travel between nodes: the Redis event transport for the in-process
    /// subscribers (pages, the hub relay, the timers' pokes) and the SignalR backplane for hub clients. Without it,
    /// the in-process transport above stays.
    /// </summary>
    public static IServiceCollection AddLockboxEventTransport(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetConnectionString(RedisConnectionName) is not { Length: > 0 } redis)
        {
            return services;
        }

        // Start and keep trying while Redis is down: the database is the truth, Redis only carries news of it.
        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = false;
        options.ReconnectRetryPolicy = new LinearRetry(1000);
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        services.AddSingleton<NextEventNumber>(sp =>
        {
            var factory = sp.GetRequiredService<IDbContextFactory<LockboxDbContext>>();
            var provider = sp.GetRequiredService<IDatabaseProvider>();
            return async cancellationToken =>
            {
                await using var db = await factory.CreateDbContextAsync(cancellationToken);
                return await provider.NextEventNumberAsync(db, cancellationToken);
            };
        });
        services.Replace(ServiceDescriptor.Singleton<IEventTransport, RedisEventTransport>());
        // The backplane for the portal's hub only: a Blazor circuit lives on the node its browser is connected to and
        // needs none, and with Redis down it must still connect.
        services.Configure<RedisOptions>(backplane =>
        {
            backplane.Configuration = ConfigurationOptions.Parse(redis);
            backplane.Configuration.AbortOnConnectFail = false;
        });
        services.AddSingleton<HubLifetimeManager<LockboxHub>, RedisHubLifetimeManager<LockboxHub>>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [Telemetry.ReadyTag]);
        return services;
    }

    /// <summary>The connection string name (<c>ConnectionStrings:Redis</c>) that turns on events between nodes.</summary>
    public const string RedisConnectionName = "Redis";
}
