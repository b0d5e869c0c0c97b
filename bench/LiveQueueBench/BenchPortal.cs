using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveQueueBench;

/// <summary>The real portal (Development demo data, its own SQLite file) on a real loopback port, in this process.</summary>
internal sealed class BenchPortal(string databasePath) : WebApplicationFactory<Program>
{
    public const string Password = "Bench-Password-2026";

    public string Start()
    {
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        return addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting(DatabaseSetup.SqlitePathKey, databasePath);
        builder.UseSetting(DemoData.PasswordKey, Password);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
    }
}
