using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LockboxPortal.DataGen;

/// <summary>
/// Which database to fill or measure: a SQLite file, or a PostgreSQL connection string. Either way the portal's own
/// settings select it, so the generator, the bench and the started portal all open it the way the portal does.
/// </summary>
public sealed record Target(string? SqlitePath, string? PostgresConnection)
{
    public bool IsPostgres => PostgresConnection is not null;

    public string Name => IsPostgres ? "PostgreSQL" : "SQLite";

    public static Target FromArgs(string[] args)
    {
        var sqlite = Option(args, "--sqlite");
        var postgres = Option(args, "--postgres");
        if ((sqlite is null) == (postgres is null))
        {
            throw new ArgumentException("Name the database: --sqlite /tmp/scale/lockbox.db or --postgres \"Host=...;Database=...\".");
        }

        return new Target(sqlite is null ? null : Path.GetFullPath(sqlite), postgres);
    }

    /// <summary>
    /// The portal's settings for this database. With PostgreSQL the SQLite path still names the folder that holds the
    /// Development certificate, so each PostgreSQL database gets a folder of its own under /tmp/scale.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings()
    {
        if (!IsPostgres)
        {
            return new Dictionary<string, string?> { [DatabaseSetup.SqlitePathKey] = SqlitePath };
        }

        var database = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnection).Database ?? "postgres";
        return new Dictionary<string, string?>
        {
            [DatabaseSetup.ProviderKey] = "Postgres",
            [$"ConnectionStrings:{DatabaseSetup.PostgresConnectionName}"] = PostgresConnection,
            [DatabaseSetup.SqlitePathKey] = Path.Combine("/tmp/scale", $"pg-{database}", "lockbox.db"),
        };
    }

    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}

public static class PortalHost
{
    /// <summary>The portal's services (not its web server) over the target database, in Development like the other benches.</summary>
    public static WebApplication Build(Target target)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Development,
            ApplicationName = "LockboxPortal",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(target.Settings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddLockboxPortal(builder.Configuration, builder.Environment);
        return builder.Build();
    }
}
