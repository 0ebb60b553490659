# A bisect --sweep: the metric of one case against the package version, one
# point per version in Debian order (a skipped version has no point, its
# tick stays), good and bad versions apart and the condition's limit dashed.
# Variables from sweep.vars.gp: datafile (x, version, value, bad), outbase,
# nversions, ttl, ylab, limit, limitlabel.
set termoption noenhanced
width = (nversions * 60 + 300 > 900) ? nversions * 60 + 300 : 900
do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size width,600 font "sans,10" noenhanced
	} else {
		set terminal svg size width,600 font "sans,10" noenhanced background rgb "white"
	}
	set output outbase.".".fmt
	set title ttl
	set ylabel ylab
	set xlabel "package version (Debian order)"
	set xrange [0.5:nversions+0.5]
	set yrange [0:*]
	set offsets 0, 0, graph 0.15, 0
	set xtics rotate by -45 nomirror
	set grid ytics
	set key outside right top
	set datafile missing "nan"
	plot datafile using 1:3:xticlabels(2) with lines lc rgb "gray50" notitle, \
	     datafile using 1:($4 == 0 ? $3 : 1/0) with points pt 7 ps 1.3 lc rgb "#1a7f37" title "good", \
	     datafile using 1:($4 == 1 ? $3 : 1/0) with points pt 7 ps 1.3 lc rgb "#cf222e" title "bad", \
	     limit with lines dt 2 lc rgb "#cf222e" title limitlabel, \
	     datafile using 1:3:(sprintf("%.3g", $3)) with labels offset 0,1 font ",8" notitle
	set output
}
