package com.example.geo;

public final class Geo {
    private static final double EARTH_RADIUS_KM = 6371.0;

    private static double haversine(double theta) {
        return (1 - Math.cos(theta)) / 2;
    }

    public static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double h = haversine(p2 - p1)
                + Math.cos(p1) * Math.cos(p2) * haversine(Math.toRadians(lon2 - lon1));
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
    }
}
