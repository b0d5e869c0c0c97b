using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using LockboxPortal.Data;
using LockboxPortal.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// Which database the tests run on. By default each test's SQLite file; with <c>LOCKBOX_TEST_DATABASE=Postgres</c>
/// (test.sh's second run) each test file name stands for a PostgreSQL database of its own on the server named by
/// <c>LOCKBOX_TEST_POSTGRES</c>, copied from a template that has every migration applied, and dropped with the
/// test's <see cref="TempFolder"/>. The same file name gives the same database, so a restarted app or a second
/// node finds what the first one stored.
/// </summary>
public static class TestDatabase
{
    public const string ProviderVariable = "LOCKBOX_TEST_DATABASE";
    public const string PostgresVariable = "LOCKBOX_TEST_POSTGRES";
    public const string RedisVariable = "LOCKBOX_TEST_REDIS";

    /// <summary>Whether this run is the PostgreSQL one.</summary>
    public static bool IsPostgres => Environment.GetEnvironmentVariable(ProviderVariable) == "Postgres";

    /// <summary>The shared Redis test.sh started (host:port), when there is one.</summary>
    public static string? Redis => Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } redis ? redis : null;

    private static string Server => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } server
        ? server
        : throw new InvalidOperationException($"{ProviderVariable}=Postgres needs {PostgresVariable} (a connection string to the test server as a superuser).");

    /// <summary>The app's settings for the test database that <paramref name="sqlitePath"/> names.</summary>
    public static Dictionary<string, string?> SettingsFor(string sqlitePath, bool sqliteOnly = false) =>
        IsPostgres && !sqliteOnly
            ? new()
            {
                [DatabaseSetup.ProviderKey] = "Postgres",
                ["ConnectionStrings:" + DatabaseSetup.PostgresConnectionName] = PostgresFor(sqlitePath),
                // Still the test's own data folder: the development certificate is made beside it, not in the app's.
                [DatabaseSetup.SqlitePathKey] = sqlitePath,
            }
            : new() { [DatabaseSetup.SqlitePathKey] = sqlitePath };

    /// <summary>A context on the test database that <paramref name="sqlitePath"/> names, without an app around it.</summary>
    public static LockboxDbContext NewContext(string sqlitePath) => IsPostgres
        ? new PostgresLockboxDbContext(WithIdentity(new DbContextOptionsBuilder<PostgresLockboxDbContext>().UseNpgsql(PostgresFor(sqlitePath))).Options)
        : new SqliteLockboxDbContext(WithIdentity(new DbContextOptionsBuilder<SqliteLockboxDbContext>().UseSqlite($"Data Source={sqlitePath}")).Options);

    /// <summary>
    /// The app's Identity options for a context built outside the app. The Identity schema version (passkeys) comes from
    /// them, and EF caches one model per context type for the process, so a context without them would build, and
    /// leave behind for every later app in the same test run, a model without the passkey table.
    /// </summary>
    public static DbContextOptionsBuilder<T> WithIdentity<T>(DbContextOptionsBuilder<T> builder)
        where T : DbContext => builder.UseApplicationServiceProvider(IdentityServices);

    private static readonly IServiceProvider IdentityServices = new ServiceCollection()
        .Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(LockboxPortal.Hosting.IdentitySetup.ConfigureIdentityOptions)
        .BuildServiceProvider();

    /// <summary>A connection string to the PostgreSQL database of this test file, created from the template if new.</summary>
    public static string PostgresFor(string sqlitePath)
    {
        var name = NameFor(sqlitePath);
        using var admin = OpenAdmin();
        if (!Exists(admin, name))
        {
            var template = EnsureTemplate(admin);
            WithLock(admin, () =>
            {
                if (!Exists(admin, name))
                {
                    Execute(admin, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
                }
            });
        }

        return ConnectionTo(name);
    }

    /// <summary>Drops the databases of the files in <paramref name="folder"/> (a test's <see cref="TempFolder"/>).</summary>
    public static void DropFor(string folder)
    {
        if (!IsPostgres)
        {
            return;
        }

        using var admin = OpenAdmin();
        var prefix = FolderPrefix(folder);
        var names = new List<string>();
        using (var find = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, @prefix)", admin))
        {
            find.Parameters.AddWithValue("prefix", prefix);
            using var reader = find.ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionTo(name)));
            Execute(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }

    private static string ConnectionTo(string database) =>
        new NpgsqlConnectionStringBuilder(Server) { Database = database, MaxPoolSize = 30, ConnectionIdleLifetime = 5, ConnectionPruningInterval = 2 }.ConnectionString;

    /// <summary>"lbx_" + the folder's hash + the file's name, so a folder's databases are found by their prefix.</summary>
    private static string NameFor(string sqlitePath)
    {
        var file = new string(Path.GetFileNameWithoutExtension(sqlitePath).ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
        return FolderPrefix(Path.GetDirectoryName(Path.GetFullPath(sqlitePath))!) + file;
    }

    private static string FolderPrefix(string folder) =>
        "lbx_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(folder).TrimEnd('/'))))[..16] + "_";

    /// <summary>A template per migration set (its name hashes the migration ids), migrated once per server.</summary>
    private static string EnsureTemplate(NpgsqlConnection admin)
    {
        var migrations = typeof(PostgresLockboxDbContext).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<DbContextAttribute>()?.ContextType == typeof(PostgresLockboxDbContext))
            .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id)
            .Where(id => id is not null)
            .Order(StringComparer.Ordinal);
        var template = "lbxtemplate_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(",", migrations))))[..16];
        if (IsTemplate(admin, template))
        {
            return template;
        }

        WithLock(admin, () =>
        {
            if (IsTemplate(admin, template))
            {
                return;
            }

            Execute(admin, $"DROP DATABASE IF EXISTS \"{template}\" WITH (FORCE)");
            Execute(admin, $"CREATE DATABASE \"{template}\"");
            var connection = new NpgsqlConnectionStringBuilder(Server) { Database = template, Pooling = false }.ConnectionString;
            // A host outside Development, so the portal's certificate is named as it would be in production.
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [DatabaseSetup.ProviderKey] = "Postgres",
                ["ConnectionStrings:" + DatabaseSetup.PostgresConnectionName] = connection,
            }).AddInMemoryCollection(TestCertificate.Settings()).Build();
            var services = new ServiceCollection().AddLogging()
                .Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(IdentitySetup.ConfigureIdentityOptions);
            services.AddLockboxDatabase(configuration, new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() });
            using (var provider = services.BuildServiceProvider())
            {
                provider.MigrateLockboxDatabaseAsync().GetAwaiter().GetResult();
            }

            Execute(admin, $"ALTER DATABASE \"{template}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        });
        return template;
    }

    private static NpgsqlConnection OpenAdmin()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Database = "postgres", Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>One creator at a time across the test processes: copying a template refuses while it is being copied or made.</summary>
    private static void WithLock(NpgsqlConnection admin, Action action)
    {
        Execute(admin, "SELECT pg_advisory_lock(4215)");
        try
        {
            action();
        }
        finally
        {
            Execute(admin, "SELECT pg_advisory_unlock(4215)");
        }
    }

    private static bool Exists(NpgsqlConnection admin, string name)
    {
        using var command = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
        command.Parameters.AddWithValue("name", name);
        return command.ExecuteScalar() is not null;
    }

    private static bool IsTemplate(NpgsqlConnection admin, string name)
    {
        using var command = new NpgsqlCommand("SELECT datistemplate FROM pg_database WHERE datname = @name", admin);
        command.Parameters.AddWithValue("name", name);
        return command.ExecuteScalar() is true;
    }

    private static void Execute(NpgsqlConnection admin, string sql)
    {
        using var command = new NpgsqlCommand(sql, admin);
        command.ExecuteNonQuery();
    }
}
