# A bisect --sweep: the metric of one case against the package version, one
# point per version in Debian order (a skipped version has no point, its
# tick stays).  Variables from sweep.vars.gp: datafile, outbase, nversions,
# ttl, ylab.
set termoption noenhanced
width = nversions * 40 + 300
do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size width,600 font "sans,10" noenhanced
	} else {
		set terminal svg size width,600 font "sans,10" noenhanced background rgb "white"
	}
	set output outbase.".".fmt
	set title ttl
	set ylabel ylab
	set xlabel "package version"
	set xrange [0.5:nversions+0.5]
	set yrange [0:*]
	set xtics rotate by -45 nomirror
	set grid ytics
	set datafile missing "nan"
	plot datafile using 1:3:xticlabels(2) with linespoints pt 7 ps 1.2 lw 1.5 notitle, \
	     datafile using 1:3:(sprintf("%.3g", $3)) with labels offset 0,1 font ",8" notitle
	set output
}
