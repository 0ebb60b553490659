# Latency distributions: a box per case and kernel (column).  Box p25..p75,
# whiskers to the farthest sample within 1.5 IQR (Tukey), black: the median
# and its 95% CI (order statistics).  Run by `pudbench plot`, after the
# NAME.vars.gp it writes: datafile, outbase, ttl, ncols, coltitle[], ncases,
# width, boxw, xticsdef (the case tick labels).
set termoption noenhanced
do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size width,760 font "sans,10" noenhanced
	} else {
		set terminal svg size width,760 font "sans,10" noenhanced background rgb "white"
	}
	set output outbase.".".fmt
	set title ttl
	set ylabel "latency per call (µs, log scale)"
	set xlabel "case: backend, page size, mapping size / operation / remote participants" offset 0,-2.2
	set logscale y
	set grid ytics mytics
	set xrange [0.4:ncases+0.6]
	eval xticsdef
	set bmargin 8
	set key outside right top vertical
	set boxwidth boxw*0.9 absolute
	set style fill solid 0.35 border
	plot for [i=1:ncols] datafile index (i-1) using 1:2:3:4:5 with candlesticks \
		whiskerbars 0.6 lc i lw 1.5 title coltitle[i], \
	     for [i=1:ncols] datafile index (i-1) using 1:6:6:6:6 with candlesticks \
		lc i lw 2.5 notitle, \
	     for [i=1:ncols] datafile index (i-1) using 1:6:7:8 with yerrorbars \
		lc rgb "black" pt 7 ps 0.5 lw 1.2 title (i == 1 ? "median, 95% CI" : "")
	set output
}
