namespace LockboxPortal.Tests.Common;

public sealed class TimeWordsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(20, "less than a minute")]
    [InlineData(45 * 60, "45 min")]
    [InlineData(2 * 3600, "2 h")]
    [InlineData(90 * 60, "1 h 30 min")]
    [InlineData(26 * 3600, "1 d 2 h")]
    public void Duration_ReadsTheSameEverywhere(int seconds, string expected) =>
        Assert.Equal(expected, TimeWords.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Relative_SaysInOrAgo() =>
        Assert.Equal(("in 3 h 12 min", "25 min ago"), (TimeWords.Relative(Now.AddMinutes(192), Now), TimeWords.Relative(Now.AddMinutes(-25), Now)));

    [Fact]
    public void Moment_IsInTheViewersZone_AndNamesIt()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        Assert.Equal("2 Dec 2026, 09:00 Europe/Berlin", TimeWords.Moment(Now, berlin));
        Assert.Equal("2 Dec 2026, 08:00 UTC", TimeWords.Moment(Now, TimeZoneInfo.Utc));
    }
}
